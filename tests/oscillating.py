"""Angular frequency (in x) of the oscillating zoo entries: references must resolve it."""

FREQUENCY = {"siren": 30, "gabor_real": 20, "biper": 30, "fourier_activation": 4, "daruan": 3, "sin": 1, "cos": 1,
             "gcu": 1, "snake": 2, "dra": 2}
