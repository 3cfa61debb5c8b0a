"""api keys settings tab."""
