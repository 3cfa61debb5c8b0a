"""claim settings tab."""
