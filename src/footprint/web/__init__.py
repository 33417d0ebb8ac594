"""The web app (`footprint serve`): pages over the run store, uploads validated in place, runs and sweeps in the
background, comparisons and downloads. The top layer beside the command line: it reads the layers below and
nothing reads it."""
