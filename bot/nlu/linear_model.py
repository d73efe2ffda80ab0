"""A TF-IDF-weighted multinomial logistic regression kept as plain arrays (no Rasa, no pickle).

Training uses scikit-learn; prediction is a sparse matrix product and a softmax, so a loaded model needs only
numpy and scipy. Weighting: sublinear term frequency (1 + log tf), smoothed inverse document frequency, L2 norm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
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

    @cached_property
    def _position(self) -> np.ndarray:
        """For each input feature index, its column among the kept features (-1: not used)."""
        position = np.full(int(self.keep.max(initial=-1)) + 1, -1, dtype=np.int64)
        position[self.keep] = np.arange(self.keep.size)
        return position

    @cached_property
    def _coef_by_feature(self) -> np.ndarray:
        """The coefficients as one contiguous row per kept feature (gathering a message's rows is then cheap)."""
        return np.ascontiguousarray(self.coef.T)

    def scores(self, counts: scipy.sparse.spmatrix) -> np.ndarray:
        """Decision scores, one row per input row: the same TF-IDF weighting as `weigh`, computed over each row's
        non-zero features only (a message has a few hundred of the model's hundreds of thousands of features)."""
        matrix = scipy.sparse.csr_matrix(counts, dtype=np.float64)
        matrix.sum_duplicates()
        position, by_feature = self._position, self._coef_by_feature
        scores = np.tile(self.intercept, (matrix.shape[0], 1)).astype(np.float64)
        for row in range(matrix.shape[0]):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            indices, values = matrix.indices[start:end], matrix.data[start:end]
            inside = indices < position.size
            columns = position[indices[inside]]
            used = (columns >= 0) & (values[inside] > 0)
            columns, values = columns[used], values[inside][used]
            if columns.size == 0:
                continue
            weights = (1.0 + np.log(values)) * self.idf[columns]
            weights /= np.sqrt(np.dot(weights, weights)) or 1.0
            scores[row] += weights @ by_feature[columns]
        return scores

    def predict_proba(self, counts: scipy.sparse.spmatrix) -> np.ndarray:
        """Class probabilities, one row per input row, columns in `labels` order."""
        scores = self.scores(counts)
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
