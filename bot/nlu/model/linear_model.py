"""A multinomial logistic regression over TF-IDF-weighted sparse features and dense sentence embeddings.

It has a fitted temperature and is kept as plain arrays (no Rasa, no pickle).

Training uses scikit-learn; prediction is a sparse gather, a small dense product and a softmax, so a loaded model
needs only numpy and scipy. Sparse weighting: sublinear term frequency (1 + log tf), smoothed inverse document
frequency, L2 norm. Dense features (already L2-normalised embeddings) are scaled by `dense_weight` and sit beside
the sparse ones in the same regression. Calibration: a stratified held-out split of the training data is kept
aside, the regression is fitted on the rest, the temperature that best explains the held-out labels is fitted
(`bot.nlu.model.calibration`), then the regression is refitted on everything (warm-started) and keeps that temperature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse

from bot.nlu.model.calibration import softmax

FORMAT_VERSION = 2


@dataclass(frozen=True)
class LinearModel:
    """Feature selection, IDF weights and the regression's coefficients."""

    labels: list[str]
    keep: np.ndarray  # indices of the input features the model uses
    idf: np.ndarray  # one weight per kept feature
    coef: np.ndarray  # (labels, kept features)
    intercept: np.ndarray  # (labels,)
    dense_coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (labels, dense dimensions)
    dense_weight: float = 1.0
    temperature: float = 1.0
    #: Widths of the input's feature blocks (one per featurizer), so that a missing block can be zero-filled.
    block_widths: list[int] = field(default_factory=list)
    #: The featurizers (by name) whose blocks these are, in order.
    block_names: list[str] = field(default_factory=list)
    #: What the calibration measured on its held-out split: n, nll/ece before and after.
    calibration: dict[str, float] = field(default_factory=dict)

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

    @property
    def dense_dimensions(self) -> int:
        """How many dense features the model reads (0: sparse only)."""
        return int(self.dense_coef.shape[1]) if self.dense_coef.ndim == 2 and self.dense_coef.size else 0

    def scores(self, counts: scipy.sparse.spmatrix, dense: np.ndarray | None = None) -> np.ndarray:
        """Decision scores (before the temperature), one row per input row.

        The same TF-IDF weighting as `weigh`, computed over each row's non-zero features only (a message has a few
        hundred of the model's hundreds of thousands of features), plus the dense block (zeros where `dense` is
        None).
        """
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
        if dense is not None and self.dense_dimensions:
            block = np.asarray(dense, dtype=np.float64).reshape(matrix.shape[0], -1)
            if block.shape[1] != self.dense_dimensions:
                raise ValueError(f"expected {self.dense_dimensions} dense features, got {block.shape[1]}")
            scores += self.dense_weight * block @ self.dense_coef.T
        return scores

    def predict_proba(self, counts: scipy.sparse.spmatrix, dense: np.ndarray | None = None) -> np.ndarray:
        """Calibrated class probabilities, one row per input row, columns in `labels` order."""
        return softmax(self.scores(counts, dense), self.temperature)

    def save(self, path: Path) -> None:
        """Write the arrays to an `.npz` file."""
        np.savez_compressed(
            path, version=np.array([FORMAT_VERSION]), labels=np.array(self.labels, dtype=np.str_), keep=self.keep,
            idf=self.idf, coef=self.coef, intercept=self.intercept, dense_coef=self.dense_coef,
            dense_weight=np.array([self.dense_weight]), temperature=np.array([self.temperature]),
            block_widths=np.array(self.block_widths, dtype=np.int64),
            block_names=np.array(self.block_names, dtype=np.str_),
            calibration_keys=np.array(list(self.calibration), dtype=np.str_),
            calibration_values=np.array(list(self.calibration.values()), dtype=np.float64),
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by `save`."""
        with np.load(path, allow_pickle=False) as data:
            if int(data["version"][0]) != FORMAT_VERSION:
                raise ValueError(f"unsupported linear model format {data['version'][0]}")
            return cls(
                labels=[str(label) for label in data["labels"]], keep=data["keep"], idf=data["idf"],
                coef=data["coef"], intercept=data["intercept"], dense_coef=data["dense_coef"],
                dense_weight=float(data["dense_weight"][0]), temperature=float(data["temperature"][0]),
                block_widths=[int(w) for w in data["block_widths"]],
                block_names=[str(n) for n in data["block_names"]],
                calibration={
                    str(k): float(v) for k, v in zip(data["calibration_keys"], data["calibration_values"], strict=True)
                },
            )


def _regression(c: float, class_weight: Any, max_iter: int, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=max_iter, class_weight=class_weight, random_state=seed, warm_start=True)


def _split_coefficients(regression: Any, sparse_width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coef, intercept = np.asarray(regression.coef_), np.asarray(regression.intercept_)
    if coef.shape[0] == 1:
        # Two classes: scikit-learn keeps one weight row (for the second class); a zero row for the first makes
        # the softmax equal to its sigmoid.
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return coef[:, :sparse_width], coef[:, sparse_width:], intercept


def _calibration_split(labels: list[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Stratified (train, held-out) row indices, or None when there is too little data to hold any out."""
    from sklearn.model_selection import StratifiedShuffleSplit

    counts = np.unique(labels, return_counts=True)[1]
    held = int(round(fraction * len(labels)))
    if fraction <= 0 or not counts.size or counts.min() < 2 or held < len(counts) or len(labels) - held < len(counts):
        return None
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=held, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(labels)), labels))
    return train, test


def fit_linear_model(
    counts: scipy.sparse.csr_matrix, labels: list[str], *, dense: np.ndarray | None = None,
    dense_weight: float = 1.0, c: float = 5.0, class_weight: Any = "balanced", min_df: int = 1,
    max_iter: int = 3000, seed: int = 42, calibration_fraction: float = 0.0, block_widths: list[int] | None = None,
    block_names: list[str] | None = None,
) -> LinearModel:
    """Fit the weighting, the regression and (with `calibration_fraction` > 0) the temperature.

    The inputs are raw sparse feature counts, optional dense features (one row per example) and their labels.
    """
    from bot.nlu.model.calibration import expected_calibration_error, fit_temperature, negative_log_likelihood

    document_frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(document_frequency >= max(min_df, 1))
    n_documents = counts.shape[0]
    idf = np.log((1.0 + n_documents) / (1.0 + document_frequency[keep])) + 1.0
    unweighted = LinearModel(labels=[], keep=keep, idf=idf, coef=np.zeros((0, keep.size)), intercept=np.zeros(0))
    matrix = unweighted.weigh(counts)
    if dense is not None and dense.size:
        matrix = scipy.sparse.hstack([matrix, scipy.sparse.csr_matrix(dense_weight * dense)]).tocsr()
    regression = _regression(c, class_weight, max_iter, seed)
    temperature, calibration = 1.0, {}
    split = _calibration_split(labels, calibration_fraction, seed)
    if split is not None:
        train, held = split
        regression.fit(matrix[train], [labels[i] for i in train])
        classes = [str(label) for label in regression.classes_]
        held_scores = np.asarray(regression.decision_function(matrix[held]))
        if held_scores.ndim == 1:
            held_scores = np.column_stack([np.zeros_like(held_scores), held_scores])
        targets = np.array([classes.index(labels[i]) for i in held])
        temperature = fit_temperature(held_scores, targets)
        calibration = {"heldout_n": float(len(held)), "temperature": temperature}
        for name, t in (("before", 1.0), ("after", temperature)):
            probabilities = softmax(held_scores, t)
            calibration[f"nll_{name}"] = negative_log_likelihood(held_scores, targets, t)
            calibration[f"ece_{name}"] = expected_calibration_error(
                probabilities.max(axis=1), probabilities.argmax(axis=1) == targets
            )
    regression.fit(matrix, labels)  # warm-started from the split's solution when there was one
    coef, dense_coef, intercept = _split_coefficients(regression, keep.size)
    return LinearModel(
        labels=[str(label) for label in regression.classes_], keep=keep, idf=idf, coef=coef, intercept=intercept,
        dense_coef=dense_coef, dense_weight=float(dense_weight), temperature=temperature, calibration=calibration,
        block_widths=list(block_widths or []), block_names=list(block_names or []),
    )
