"""config settings tab."""
