"""One package per dashboard section; ``platformkit.core.sections.REGISTRY`` lists them."""
