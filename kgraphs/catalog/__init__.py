"""Keras's own names, as data kgraphs checks recipes against without importing Keras: layer
classes (and the refused ones), activations, losses, metrics, optimizers."""
