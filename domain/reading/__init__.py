"""Reading what people write: the program file (YAML) and the organiser's typed input, with their
times and text cleaning. Beside the rules, not among them."""
