"""Writes the emlearn peer model: a scikit-learn MLPClassifier 30-32(ReLU)-16(ReLU)-1, the same
shape as rarewatch's reference model (1,488 MACs), trained briefly on seeded synthetic data and
converted to C by emlearn (float32 weights, `eml_net.h`).

The weights differ from rarewatch's (these are float, those int8); an MLP's instruction count
does not depend on the weight values, only on the shape.

usage: python3 gen_model.py OUT_DIR   (writes OUT_DIR/peer_model.h, prints emlearn's version)
"""

import pathlib
import sys
import warnings

import emlearn
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(2024)
    x = rng.randn(2000, 30)
    y = (x[:, 0] + 0.5 * x[:, 1] - x[:, 2] > 1.8).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(
            hidden_layer_sizes=(32, 16), activation="relu", max_iter=30, random_state=2024
        ).fit(x, y)
    shapes = [w.shape for w in model.coefs_]
    assert shapes == [(30, 32), (32, 16), (16, 1)], shapes
    emlearn.convert(model, method="inline").save(name="peer", file=str(out / "peer_model.h"))
    print(f"emlearn {emlearn.__version__}: wrote {out / 'peer_model.h'}")


if __name__ == "__main__":
    main()
