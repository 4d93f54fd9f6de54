"""Deploying a model: Keras's own exporters, each file checked in its own runtime."""
