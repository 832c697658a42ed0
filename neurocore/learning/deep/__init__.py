"""Credit assignment in deep feed-forward networks: backprop and biologically plausible rules.

One small substrate runs every rule: dense and convolutional layers (NHWC, im2col + BLAS in C),
ReLU / tanh / sigmoid / tReLU nonlinearities, softmax cross-entropy or squared error, SGD, Adam and
Batch Manhattan; one C call per epoch. On it:

* backprop (``'bp'``), feedback alignment (``'fa'``), direct feedback alignment (``'dfa'``);
* dynamic inversion (``'di'``, and its steady state ``'ndi'`` / pseudo-backprop ``'pbp'``;
  Podlaski & Machens 2020), with :mod:`~neurocore.learning.deep.inversion` for the dynamics,
  feedback stabilisation and the single-loop variant;
* global error-vector broadcasting (``'gevb'``) in vectorized nonnegative networks
  (:func:`vnn_mlp`, :func:`vnn_convnet`; Clark, Abbott & Chung 2021);
* sign-concordant feedback (``'sign'``) with Batch Manhattan (``optimizer='batch_manhattan'``;
  Liao et al. 2016, Moskovitz, Litwin-Kumar & Abbott 2018);
* CLAPP (:class:`CLAPPEncoder`; Illing et al. 2021) with a linear probe.

Examples
--------
>>> from neurocore.learning.deep import load_digits_split, mlp
>>> d = load_digits_split(rng=0)
>>> net = mlp([64, 256, 256, 10], rng=0, optimizer="adam", lr=1e-3).set_rule("sign", rng=1)
>>> hist = net.fit(d.X_train, d.y_train, epochs=5, batch_size=32, rng=0)
>>> acc = net.accuracy(d.X_test, d.y_test)
"""
from .layers import ACT, FEEDBACK, Conv2d, Dense
from .network import LOSSES, OPTIMIZERS, RULES, History, Network
from .models import convnet, mlp, vnn_convnet, vnn_mlp
from .data import DataSplit, load_arrays, load_digits_split, load_idx, load_mnist_idx, stratified_split
from .inversion import (InversionResult, di_jacobian, dynamic_inversion, ndi, regularized_pseudoinverse,
                        single_loop_inversion, spectral_abscissa, stabilize_feedback)
from .clapp import CLAPPEncoder, clapp_updates, image_patches, linear_probe

__all__ = ["ACT", "FEEDBACK", "LOSSES", "OPTIMIZERS", "RULES", "Conv2d", "Dense", "Network", "History", "mlp",
           "convnet", "vnn_mlp", "vnn_convnet", "DataSplit", "load_digits_split", "load_idx", "load_mnist_idx",
           "load_arrays", "stratified_split", "InversionResult", "dynamic_inversion", "ndi",
           "regularized_pseudoinverse", "di_jacobian", "spectral_abscissa", "stabilize_feedback",
           "single_loop_inversion", "CLAPPEncoder", "clapp_updates", "image_patches", "linear_probe"]
