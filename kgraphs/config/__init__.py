"""Typed, strict config classes and their field types, and the limits every recipe keeps."""
