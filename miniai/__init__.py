"""Why and how deep networks are initialised and normalised: a course as code, on Fashion-MNIST

Modules:

- `miniai.activations`: Leak, shift and clamp: a ReLU whose output is centred, and how to initialise the layers around it.
- `miniai.datasets`: Load the data once into memory as `uint8` tensors, and batch it by slicing, with no per-item work.
- `miniai.fixup`: A deep residual net trains without any norm layer when every branch starts at zero; and how deep nets were initialised before any of this.
- `miniai.hooks`: Look inside a network while it trains, and leave nothing behind when you stop looking.
- `miniai.kaiming`: ReLU discards half of the signal's second moment; the weights have to give the factor of 2 back.
- `miniai.learner`: One training loop for every experiment in the course; everything that varies is a callback.
- `miniai.lsuv`: Layer-sequential unit-variance initialisation that always terminates, never leaves a NaN, and reports what it reached.
- `miniai.norm`: Initialisation sets the activations' statistics at step 0; a normalisation layer resets them at every step.
- `miniai.optim`: SGD, momentum, RMSProp and Adam as `torch.optim` optimisers: equal to PyTorch's, driven by its schedulers.
- `miniai.scaling`: Sixteen-bit floats, several processes, runs that resume, compiled layers: what each changes in training, and how to check it.
- `miniai.stats`: Statistics from scratch, the variance of sums, products and dot products, and experiments that show what goes wrong when activations drift from mean 0 and std 1.
- `miniai.xavier`: Set the weight variance from the layer's fans, so that signals keep their size on the way forward and gradients keep theirs on the way back."""

__version__ = "0.1.0"
