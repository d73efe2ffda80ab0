"""A TF-IDF-weighted multinomial logistic regression kept as plain arrays (no Rasa, no pickle).

Training uses scikit-learn; prediction is a sparse matrix product and a softmax, so a loaded model needs only
numpy and scipy. Weighting: sublinear term frequency (1 + log tf), smoothed inverse document frequency, L2 norm.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse

FORMAT_VERSION = 1


@dataclass(frozen=True)
class LinearModel:
    """Feature selection, IDF weights and the regression's coefficients."""

    labels: list[str]
    keep: np.ndarray  # indices of the input features the model uses
    idf: np.ndarray  # one weight per kept feature
    coef: np.ndarray  # (labels, kept features)
    intercept: np.ndarray  # (labels,)

    def weigh(self, counts: scipy.sparse.spmatrix) -> scipy.sparse.csr_matrix:
        """Raw feature counts as L2-normalised TF-IDF rows over the kept features."""
        matrix = scipy.sparse.csr_matrix(counts, dtype=np.float64)
        if matrix.shape[1] < int(self.keep.max(initial=-1)) + 1:
            # Fewer features than at training time cannot happen with the same featurizers; be safe anyway.
            matrix = scipy.sparse.hstack(
                [matrix, scipy.sparse.csr_matrix((matrix.shape[0], int(self.keep.max()) + 1 - matrix.shape[1]))]
            ).tocsr()
        matrix = matrix[:, self.keep]
        matrix.data = np.where(matrix.data > 0, 1.0 + np.log(np.maximum(matrix.data, 1e-12)), 0.0)
        matrix = matrix.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return scipy.sparse.csr_matrix(matrix.multiply(1.0 / norms[:, None]))

    def predict_proba(self, counts: scipy.sparse.spmatrix) -> np.ndarray:
        """Class probabilities, one row per input row, columns in `labels` order."""
        scores = np.asarray(self.weigh(counts) @ self.coef.T) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def save(self, path: Path) -> None:
        """Write the arrays to an `.npz` file."""
        np.savez_compressed(
            path, version=np.array([FORMAT_VERSION]), labels=np.array(self.labels, dtype=np.str_), keep=self.keep,
            idf=self.idf, coef=self.coef, intercept=self.intercept,
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by `save`."""
        with np.load(path, allow_pickle=False) as data:
            if int(data["version"][0]) != FORMAT_VERSION:
                raise ValueError(f"unsupported linear model format {data['version'][0]}")
            return cls(
                labels=[str(label) for label in data["labels"]], keep=data["keep"], idf=data["idf"],
                coef=data["coef"], intercept=data["intercept"],
            )


def fit_linear_model(
    counts: scipy.sparse.csr_matrix, labels: list[str], *, c: float = 5.0, class_weight: Any = "balanced",
    min_df: int = 1, max_iter: int = 3000, seed: int = 42,
) -> LinearModel:
    """Fit the weighting and the regression on raw feature counts (rows) and their labels."""
    from sklearn.linear_model import LogisticRegression

    document_frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(document_frequency >= max(min_df, 1))
    n_documents = counts.shape[0]
    idf = np.log((1.0 + n_documents) / (1.0 + document_frequency[keep])) + 1.0
    unweighted = LinearModel(labels=[], keep=keep, idf=idf, coef=np.zeros((0, keep.size)), intercept=np.zeros(0))
    matrix = unweighted.weigh(counts)
    regression = LogisticRegression(C=c, max_iter=max_iter, class_weight=class_weight, random_state=seed)
    regression.fit(matrix, labels)
    coef, intercept = np.asarray(regression.coef_), np.asarray(regression.intercept_)
    if coef.shape[0] == 1:
        # Two classes: scikit-learn keeps one weight row (for the second class); a zero row for the first makes
        # the softmax equal to its sigmoid.
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return LinearModel(
        labels=[str(label) for label in regression.classes_], keep=keep, idf=idf, coef=coef, intercept=intercept
    )
