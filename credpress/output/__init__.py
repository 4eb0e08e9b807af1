"""Stage 7, output: the one writer of the output folder, and the build lock."""
