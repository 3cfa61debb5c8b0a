"""compute settings tab."""
