"""Why and how deep networks are initialised and normalised: a course as code, on Fashion-MNIST

Modules:

- `miniai.fixup`: A deep residual net trains without any norm layer when every branch starts at zero; and how deep nets were initialised before any of this.
- `miniai.lsuv`: Layer-sequential unit-variance initialisation that always terminates, never leaves a NaN, and reports what it reached.
- `miniai.xavier`: Set the weight variance from the layer's fans, so that signals keep their size on the way forward and gradients keep theirs on the way back."""

__version__ = "0.1.0"
