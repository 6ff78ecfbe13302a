"""Motion models for a descending object's height against time, and the choice among them.

Heights are upward positive, in metres or pixels (the same code fits both); times in seconds
from pts. Three models:

- ``constant velocity``: h = h0 - v t (2 parameters);
- ``constant acceleration``: h = h0 - v0 t - a t^2 / 2 (3 parameters), a positive downward;
- ``terminal velocity``: quadratic drag, dv/dt = g (1 - v^2 / vt^2) with v = vt tanh(g t / vt
  + c), so h = h0 - (vt^2 / g) [ln cosh(g t / vt + c) - ln cosh c] (3 parameters: h0, vt, c);
  metric heights only, since g is known only in m/s^2.

Least squares (linear for the first two; Levenberg-Marquardt, Madsen, Nielsen & Tingleff 2004,
for drag). Parameter covariance: s^2 (J^T J)^-1 with s^2 = RSS / (n - k); 95% intervals with
Student's t, the covariance inflated for residuals correlated between neighbouring frames
(``ar1_inflation``). Model choice: the corrected Akaike information criterion (AICc, Hurvich & Tsai
1989), the lowest wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

G_M_S2 = 9.80665
CV, CA, DRAG = "constant velocity", "constant acceleration", "terminal velocity"


def t_quantile_975(df: int) -> float:
    """Student's t 97.5% quantile (Hill 1970's expansion; exact to 1e-3 for df >= 3)."""
    if df <= 0:
        return math.inf
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571}
    if df in table:
        return table[df]
    z = 1.959964
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


@dataclass(frozen=True)
class ModelFit:
    """One fitted model: parameters, their standard errors, and the fit's quality."""

    name: str
    params: tuple[float, ...]
    stderr: tuple[float, ...]
    names: tuple[str, ...]
    rss: float
    n: int
    aicc: float
    residual_sd: float
    cov: tuple[tuple[float, ...], ...]

    @property
    def k(self) -> int:
        return len(self.params)

    def param(self, name: str) -> tuple[float, float]:
        i = self.names.index(name)
        return self.params[i], self.stderr[i]

    def predict(self, t_s: np.ndarray, g: float = G_M_S2) -> np.ndarray:
        return _model(self.name, np.asarray(self.params), np.asarray(t_s, float), g)

    def band(self, t_s: np.ndarray, g: float = G_M_S2) -> np.ndarray:
        """Standard error of the fitted curve at ``t_s`` (delta method)."""
        t = np.asarray(t_s, float)
        jac = _jacobian(self.name, np.asarray(self.params), t, g)
        cov = np.asarray(self.cov)
        return np.sqrt(np.maximum(0.0, np.einsum("ij,jk,ik->i", jac, cov, jac)))

    def to_dict(self) -> dict[str, object]:
        tq = t_quantile_975(self.n - self.k)
        return {
            "model": self.name,
            "aicc": round(self.aicc, 3),
            "residual_sd": self.residual_sd,
            "params": {
                n: {"value": v, "ci95": [v - tq * s, v + tq * s]}
                for n, v, s in zip(self.names, self.params, self.stderr, strict=True)
            },
        }


def _model(name: str, p: np.ndarray, t: np.ndarray, g: float) -> np.ndarray:
    if name == CV:
        return p[0] - p[1] * t
    if name == CA:
        return p[0] - p[1] * t - 0.5 * p[2] * t * t
    h0, vt, c = p
    u = g * t / vt + c
    return h0 - (vt * vt / g) * (_logcosh(u) - _logcosh(np.asarray(c)))


def _logcosh(u: np.ndarray) -> np.ndarray:
    a = np.abs(u)
    return a + np.log1p(np.exp(-2 * a)) - math.log(2.0)


def _jacobian(name: str, p: np.ndarray, t: np.ndarray, g: float) -> np.ndarray:
    if name == CV:
        return np.column_stack([np.ones_like(t), -t])
    if name == CA:
        return np.column_stack([np.ones_like(t), -t, -0.5 * t * t])
    eps = np.maximum(1e-6, 1e-6 * np.abs(p))
    cols = []
    for i in range(len(p)):
        d = np.zeros_like(p)
        d[i] = eps[i]
        cols.append((_model(name, p + d, t, g) - _model(name, p - d, t, g)) / (2 * eps[i]))
    return np.column_stack(cols)


def ar1_inflation(residuals: np.ndarray) -> float:
    """Variance inflation for residuals correlated from frame to frame (tracking and
    registration errors persist over neighbouring frames): (1 + rho) / (1 - rho) with rho
    the lag-1 autocorrelation, clamped to [0, 0.9] (the effective sample size of an AR(1)
    series, e.g. Wilks, Statistical Methods in the Atmospheric Sciences, 5.2.3)."""
    r = residuals - residuals.mean()
    den = float(r @ r)
    if len(r) < 4 or den <= 0:
        return 1.0
    rho = min(0.9, max(0.0, float(r[1:] @ r[:-1]) / den))
    return (1 + rho) / (1 - rho)


def _finish(name, names, p, t, h, g) -> ModelFit | None:
    n, k = len(t), len(p)
    r = h - _model(name, p, t, g)
    rss = float(r @ r)
    if n - k < 2 or not np.all(np.isfinite(p)):
        return None
    s2 = max(rss / (n - k), 1e-12)
    jac = _jacobian(name, p, t, g)
    try:
        cov = s2 * ar1_inflation(r) * np.linalg.inv(jac.T @ jac)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(cov)):
        return None
    aicc = n * math.log(max(rss, 1e-12) / n) + 2 * k + 2 * k * (k + 1) / max(1, n - k - 1)
    se = tuple(float(math.sqrt(max(0.0, cov[i, i]))) for i in range(k))
    return ModelFit(
        name,
        tuple(float(v) for v in p),
        se,
        names,
        rss,
        n,
        aicc,
        math.sqrt(s2),
        tuple(tuple(float(v) for v in row) for row in cov),
    )


def fit_linear(t: np.ndarray, h: np.ndarray, name: str) -> ModelFit | None:
    """Constant velocity or constant acceleration by linear least squares."""
    jac = _jacobian(name, np.zeros(2 if name == CV else 3), t, G_M_S2)
    p, *_ = np.linalg.lstsq(jac, h, rcond=None)
    names = ("h0", "rate") if name == CV else ("h0", "rate0", "acceleration")
    return _finish(name, names, p, t, h, G_M_S2)


def fit_drag(t: np.ndarray, h: np.ndarray, g: float = G_M_S2) -> ModelFit | None:
    """Approach to terminal velocity under quadratic drag (metric heights), by LM."""
    ca = fit_linear(t, h, CA)
    if ca is None:
        return None
    v0 = max(0.5, ca.params[1])
    vt = max(v0 * 1.2, v0 + max(1.0, ca.params[2]) * (t[-1] - t[0]) * 2)
    p = np.array([ca.params[0], vt, math.atanh(min(0.99, v0 / vt))])
    lam = 1e-3
    r = h - _model(DRAG, p, t, g)
    for _ in range(100):
        jac = _jacobian(DRAG, p, t, g)
        a = jac.T @ jac
        step = np.linalg.solve(a + lam * np.diag(np.diag(a) + 1e-9), jac.T @ r)
        trial = p + step
        trial[1] = max(trial[1], 0.1)
        rt = h - _model(DRAG, trial, t, g)
        if rt @ rt < r @ r:
            p, r, lam = trial, rt, lam / 3
            if np.linalg.norm(step) < 1e-9 * (1 + np.linalg.norm(p)):
                break
        else:
            lam *= 4
            if lam > 1e10:
                break
    return _finish(DRAG, ("h0", "terminal_velocity", "phase"), p, t, h, g)


def fit_models(t: np.ndarray, h: np.ndarray, *, metric: bool) -> list[ModelFit]:
    """Every model that fits (drag only for metric heights), best (lowest AICc) first."""
    t = np.asarray(t, float)
    h = np.asarray(h, float)
    fits = [fit_linear(t, h, CV), fit_linear(t, h, CA)]
    if metric:
        fits.append(fit_drag(t, h))
    return sorted((f for f in fits if f is not None), key=lambda f: f.aicc)
