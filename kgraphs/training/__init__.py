"""Training around a built model: example data and arrays from files (`data`), tf.distribute
steps (`distributed`) and KerasTuner searches over a recipe's spaces (`tuning`)."""
