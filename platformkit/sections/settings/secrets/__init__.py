"""secrets settings tab."""
