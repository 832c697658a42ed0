"""Slow NumPy/SciPy twins of neurocore.landscape: brute-force counts, the two-layer Hessian by
einsum, the GLN gradient by loops, the hard-margin SVM by NNLS (Lawson-Hanson least-distance
programming) and the group-norm program's dual by SLSQP."""
import itertools

import numpy as np
from scipy.optimize import minimize, nnls


def brute_T(r, m):
    """Maps {1..m} -> {0..r} that hit every 1..r (global-minimum subspaces)."""
    return sum(1 for pi in itertools.product(range(r + 1), repeat=m) if len(set(pi) - {0}) == r)


def brute_G(r, m):
    """Onto maps {1..m} -> {1..r} (duplication-only critical subspaces)."""
    return sum(1 for pi in itertools.product(range(1, r + 1), repeat=m) if len(set(pi)) == r)


def brute_permutation_points(n, K):
    """Maps {1..n} -> {1..n-K} with exactly K fibres of size 2 and the rest of size 1."""
    count = 0
    for pi in itertools.product(range(n - K), repeat=n):
        sizes = np.bincount(pi, minlength=n - K)
        if np.all(sizes >= 1) and np.sum(sizes == 2) == K and np.all(sizes <= 2):
            count += 1
    return count


def softplus_derivs(z):
    s = np.logaddexp(0.0, z)
    q = 0.5 * (1 + np.tanh(0.5 * z))
    return s, q, q * (1 - q)


def two_layer_loss_grad_hess(X, Y, W, A):
    """MSE loss, gradient and exact Hessian of a softplus two-layer net, written term by term."""
    P, d = X.shape
    m, k = A.shape
    Z = X @ W.T
    S, S1, S2 = softplus_derivs(Z)
    E = S @ A - Y
    loss = 0.5 * np.sum(E ** 2) / P
    gA = S.T @ E / P
    gW = ((E @ A.T) * S1).T @ X / P
    # Jacobian df_po/dtheta: (P, k, n_theta)
    JW = np.einsum("io,pi,pd->poid", A, S1, X).reshape(P, k, m * d)
    JA = np.einsum("pi,oq->poiq", S, np.eye(k)).reshape(P, k, m * k)
    J = np.concatenate([JW, JA], axis=2)
    H = np.einsum("pon,pol->nl", J, J) / P
    R = E @ A.T
    n = m * d
    for i in range(m):
        H[i * d:(i + 1) * d, i * d:(i + 1) * d] += np.einsum("p,pd,pe->de", R[:, i] * S2[:, i], X, X) / P
        for o in range(k):
            v = np.einsum("p,pd->d", E[:, o] * S1[:, i], X) / P
            H[i * d:(i + 1) * d, n + i * k + o] += v
            H[n + i * k + o, i * d:(i + 1) * d] += v
    return loss, np.concatenate([gW.ravel(), gA.ravel()]), H


def gln_loss_grad(X, y, ctx, W, a, train_readout=True):
    """Mean logistic loss of f(x_p) = sum_h a_h W[h, ctx[p, h]] . x_p and its gradient, by loops."""
    P = X.shape[0]
    H = W.shape[0]
    f = np.array([sum(a[h] * W[h, ctx[p, h]] @ X[p] for h in range(H)) for p in range(P)])
    loss = np.mean(np.logaddexp(0.0, -y * f))
    q = -y / (1 + np.exp(y * f)) / P
    gW = np.zeros_like(W)
    ga = np.zeros_like(a)
    for p in range(P):
        for h in range(H):
            gW[h, ctx[p, h]] += q[p] * a[h] * X[p]
            if train_readout:
                ga[h] += q[p] * W[h, ctx[p, h]] @ X[p]
    return f, loss, np.concatenate([gW.ravel(), ga])


def hard_margin_svm_ldp(Phi, y):
    """min ||w||^2 s.t. y_i w . phi_i >= 1, exactly, by least-distance programming through NNLS
    (Lawson & Hanson 1974, ch. 23): with G = diag(y) Phi, h = 1, solve min ||E u - f|| over u >= 0,
    E = [G^T; h^T], f = (0, .., 0, 1); then w = -r[:n] / r[n], r = E u - f."""
    G = y[:, None] * Phi
    n = Phi.shape[1]
    E = np.vstack([G.T, np.ones((1, G.shape[0]))])
    f = np.zeros(n + 1)
    f[-1] = 1.0
    u, _ = nnls(E, f, maxiter=50 * E.shape[1])
    r = E @ u - f
    return -r[:n] / r[n]


def group_norm_dual_slsqp(X, y, ctx, n_ctx):
    """Dual of the group-norm program: max sum(alpha) s.t. ||sum_i alpha_i y_i phi_h(x_i)|| <= 1,
    alpha >= 0, by SLSQP. Returns the optimal value (= OPT by strong duality)."""
    P, d = X.shape
    H = ctx.shape[1]
    Phi = np.zeros((H, P, n_ctx * d))
    for h in range(H):
        for p in range(P):
            Phi[h, p, ctx[p, h] * d:(ctx[p, h] + 1) * d] = y[p] * X[p]
    cons = [{"type": "ineq", "fun": (lambda al, h=h: 1.0 - np.sum((al @ Phi[h]) ** 2)),
             "jac": (lambda al, h=h: -2.0 * Phi[h] @ (al @ Phi[h]))} for h in range(H)]
    r = minimize(lambda al: -al.sum(), np.full(P, 1e-3), jac=lambda al: -np.ones(P), method="SLSQP",
                 bounds=[(0, None)] * P, constraints=cons, options={"maxiter": 1000, "ftol": 1e-12})
    return -r.fun
