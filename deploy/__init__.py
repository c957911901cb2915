"""Local-stack and deployment tooling: the stack script, demo seed and rendered deploy files."""
