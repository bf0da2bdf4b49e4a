"""Why and how deep networks are initialised and normalised: a course as code, on Fashion-MNIST

Modules:

- `miniai.xavier`: Set the weight variance from the layer's fans, so that signals keep their size on the way forward and gradients keep theirs on the way back."""

__version__ = "0.1.0"
