"""Refinement of a homography on its inliers: weighted, robust Levenberg-Marquardt.

The cost is the one-way transfer error in B, ``sum_i w_i * rho(|H a_i - b_i|^2)``, where
``w_i`` is the inverse variance of the keypoint positions (a keypoint's localisation error grows
with its detection scale, Lowe 2004 sec. 4) and ``rho`` is Huber's loss. Coordinates are
normalised first (Hartley 1997, "In defense of the eight-point algorithm") so that the normal
equations are well conditioned. Parametrisation: the 8 entries of H with h33 fixed to 1 in the
normalised frame. The step is Levenberg-Marquardt (Hartley & Zisserman 2004, appendix 6).
"""

from __future__ import annotations

import numpy as np

from analysis.matching.geometry import apply_h


def _normaliser(pts: np.ndarray) -> np.ndarray:
    c = pts.mean(axis=0)
    s = np.sqrt(2.0) / max(float(np.sqrt(((pts - c) ** 2).sum(axis=1)).mean()), 1e-9)
    return np.array([[s, 0, -s * c[0]], [0, s, -s * c[1]], [0, 0, 1.0]])


def _residuals_jacobian(p: np.ndarray, a: np.ndarray, b: np.ndarray):
    x, y = a[:, 0], a[:, 1]
    u = p[0] * x + p[1] * y + p[2]
    v = p[3] * x + p[4] * y + p[5]
    w = p[6] * x + p[7] * y + 1.0
    px, py = u / w, v / w
    n = len(a)
    jac = np.zeros((2 * n, 8))
    jac[0::2, 0], jac[0::2, 1], jac[0::2, 2] = x / w, y / w, 1.0 / w
    jac[1::2, 3], jac[1::2, 4], jac[1::2, 5] = x / w, y / w, 1.0 / w
    jac[0::2, 6], jac[0::2, 7] = -px * x / w, -px * y / w
    jac[1::2, 6], jac[1::2, 7] = -py * x / w, -py * y / w
    res = np.empty(2 * n)
    res[0::2], res[1::2] = px - b[:, 0], py - b[:, 1]
    return res, jac


def refine_homography(
    h0: np.ndarray,
    pts_a: np.ndarray,
    pts_b: np.ndarray,
    sigma_px: np.ndarray | None = None,
    *,
    huber_k: float = 1.0,
    iterations: int = 15,
) -> np.ndarray:
    """Refine ``h0`` (A to B) on matched points by weighted robust Levenberg-Marquardt.

    Args:
        h0: initial 3x3 homography mapping A pixels to B pixels.
        pts_a: (N, 2) points in A; ``pts_b``: (N, 2) matching points in B (N >= 4).
        sigma_px: (N,) expected position error of each match in B pixels (None: all equal).
        huber_k: Huber threshold in units of sigma (residuals beyond are down-weighted).
        iterations: maximum number of LM iterations.

    Returns:
        The refined homography, normalised so that h[2, 2] = 1.
    """
    a = np.asarray(pts_a, np.float64)
    b = np.asarray(pts_b, np.float64)
    if len(a) < 5:
        return h0 / h0[2, 2]
    ta, tb = _normaliser(a), _normaliser(b)
    an = apply_h(ta, a)
    bn = apply_h(tb, b)
    hn = tb @ h0 @ np.linalg.inv(ta)
    hn = hn / hn[2, 2]
    p = hn.ravel()[:8].copy()
    sig = np.ones(len(a)) if sigma_px is None else np.asarray(sigma_px, np.float64)
    sig_n = np.repeat(sig * tb[0, 0], 2)  # sigma in normalised B units, per residual
    lam = 1e-3
    res, jac = _residuals_jacobian(p, an, bn)

    def cost(r: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.abs(r) / sig_n
        wts = np.where(z <= huber_k, 1.0, huber_k / np.maximum(z, 1e-12)) / sig_n**2
        return float((wts * r * r).sum()), wts

    c, wts = cost(res)
    for _ in range(iterations):
        jw = jac * wts[:, None]
        hess = jac.T @ jw
        grad = jw.T @ res
        step = np.linalg.solve(hess + lam * np.diag(np.diag(hess)), -grad)
        p_new = p + step
        res_new, jac_new = _residuals_jacobian(p_new, an, bn)
        c_new, wts_new = cost(res_new)
        if c_new < c:
            p, res, jac, wts = p_new, res_new, jac_new, wts_new
            converged = (c - c_new) < 1e-10 * c
            c = c_new
            lam = max(lam / 10.0, 1e-9)
            if converged:
                break
        else:
            lam *= 10.0
            if lam > 1e8:
                break
    hn = np.append(p, 1.0).reshape(3, 3)
    h = np.linalg.inv(tb) @ hn @ ta
    return h / h[2, 2]
