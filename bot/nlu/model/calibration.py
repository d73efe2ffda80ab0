"""Probability calibration for the intent classifier: temperature scaling and the expected calibration error.

A logistic regression trained with class weights and strong features is over- or under-confident in ways that
matter here: "did you mean" asks when the top probability is low, so a probability must mean what it says.
Temperature scaling (Guo et al., 2017) divides every decision score by one number T, fitted on held-out
examples by minimising the negative log-likelihood: it changes confidences, never the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Temperatures are searched in [1/20, 20].
_LOG_T_BOUNDS = (-3.0, 3.0)


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of `scores / temperature`."""
    scaled = np.asarray(scores, dtype=np.float64) / max(float(temperature), 1e-6)
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def negative_log_likelihood(scores: np.ndarray, targets: np.ndarray, temperature: float) -> float:
    """Mean NLL of the target columns under softmax(scores / T)."""
    probabilities = softmax(scores, temperature)
    picked = probabilities[np.arange(len(targets)), targets]
    return float(-np.mean(np.log(np.maximum(picked, 1e-12))))


def fit_temperature(scores: np.ndarray, targets: np.ndarray) -> float:
    """The temperature minimising the NLL of held-out `scores` (rows) with true columns `targets`."""
    from scipy.optimize import minimize_scalar

    if len(targets) == 0:
        return 1.0
    result = minimize_scalar(
        lambda log_t: negative_log_likelihood(scores, targets, float(np.exp(log_t))),
        bounds=_LOG_T_BOUNDS, method="bounded", options={"xatol": 1e-3},
    )
    return float(np.exp(result.x))


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE: |accuracy − confidence| per equal-width confidence bin, weighted by the bin's share of items."""
    confidence = np.asarray(confidences, dtype=np.float64)
    hits = np.asarray(correct, dtype=np.float64)
    if confidence.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(hits[inside].mean() - confidence[inside].mean())
    return float(error)
