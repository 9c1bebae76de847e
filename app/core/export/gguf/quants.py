"""llama.cpp's quantisation in numpy: the K-quants (Q4_K, Q5_K, Q6_K) and the per-tensor type mix of its file types.

The `gguf` package (0.19) quantises the 32-value block types (Q4_0, Q5_0, Q5_1, Q8_0) the way ggml's reference
functions do, but only dequantises the K-types, so the K-types are written here, from the algorithm of ggml-quants.c
(`quantize_row_q{4,5,6}_K_ref`, the path `llama-quantize` takes without an importance matrix): each 256-value
super-block holds sub-blocks whose scales (and mins) are searched by least squares, then themselves quantised to 6
or 8 bits against one fp16 scale per super-block.

Bit-exactness: every float operation is done in float32 in the reference's order (sums added one value after the
other, as the C loops do, never pairwise as `np.sum` would), and llama.cpp's `nearest_int` is round-half-to-even,
which `np.rint` is. The blocks then equal those of a llama.cpp built for x86-64 (bench/llamacpp_check.py compares
them); a build that fuses multiply-adds (aarch64) can differ in the last bit of a sum and so, rarely, in a block.

The work is vectorised over sub-blocks: each sub-block is a column of a (values, sub-blocks) array, so a sum over
its values is a short Python loop of whole-array adds. Tensors are quantised in chunks to bound memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

QK_K = 256
F32 = np.float32
GROUP_MAX_EPS = F32(1e-15)
CHUNK_ROWS_VALUES = 1 << 21  # values quantised at once (8 MiB of float32 per working array)


def _sum(a: np.ndarray) -> np.ndarray:
    """Sum over axis 0, one row after the other in float32, as a C loop `s += a[i]` adds."""
    acc = a[0].copy()
    for row in a[1:]:
        acc += row
    return acc


def _nearest(v: np.ndarray) -> np.ndarray:
    """ggml's nearest_int (round half to even, exact for |v| < 2**22), kept as float32."""
    return np.rint(v)


def _f16(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=F32).astype(np.float16)


def _qkx2(x: np.ndarray, w: np.ndarray, nmax: int, rmin: float, rdelta: float, nstep: int
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """make_qkx2_quants for each column of `x` (values × sub-blocks): (levels, scale, min) with x ≈ scale·L − min.

    A first grid from the range, then `nstep + 1` trial inverse scales around it; for each, the scale and offset
    that minimise the weighted squared error (the offset never positive), kept where the error falls. Like the C
    code, a trial grids from the best offset so far (`min` is updated in its loop), not from the range's minimum."""
    mn = np.minimum(x.min(axis=0), F32(0))
    mx = x.max(axis=0)
    flat = mx == mn
    span = np.where(flat, F32(1), mx - mn)
    sum_w = _sum(w)
    sum_x = _sum(w * x)
    iscale = F32(nmax) / span
    scale = F32(1) / iscale
    levels = np.clip(_nearest(iscale * (x - mn)), 0, nmax)
    diff = scale * levels + mn - x
    best = _sum(w * (diff * diff))
    for step in range(nstep + 1):  # as in ggml, each trial starts from the best offset found so far
        span = np.where(flat, F32(1), mx - mn)
        trial = (F32(rmin) + F32(rdelta) * F32(step) + F32(nmax)) / span
        lv = np.clip(_nearest(trial * (x - mn)), 0, nmax)
        wl = w * lv
        sum_l, sum_l2, sum_xl = _sum(wl), _sum(wl * lv), _sum(wl * x)
        det = sum_w * sum_l2 - sum_l * sum_l
        with np.errstate(divide="ignore", invalid="ignore"):
            this_scale = (sum_w * sum_xl - sum_x * sum_l) / det
            this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det
            positive = this_min > 0
            this_scale = np.where(positive, sum_xl / sum_l2, this_scale)
        this_min = np.where(positive, F32(0), this_min)
        diff = this_scale * lv + this_min - x
        err = _sum(w * (diff * diff))
        better = (det > 0) & (err < best)
        levels = np.where(better, lv, levels)
        best = np.where(better, err, best)
        scale = np.where(better, this_scale, scale)
        mn = np.where(better, this_min, mn)
    levels = np.where(flat, F32(0), levels)
    return levels, np.where(flat, F32(0), scale), -mn


def _k_scales(scales: np.ndarray, mins: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 6-bit sub-block scales and mins of Q4_K/Q5_K against the super-block's fp16 d and dmin
    (`scales`, `mins`: sub-blocks × super-blocks)."""
    max_scale = np.maximum(scales.max(axis=0), F32(0))
    max_min = np.maximum(mins.max(axis=0), F32(0))
    with np.errstate(divide="ignore"):
        inv_scale = np.where(max_scale > 0, F32(63) / max_scale, F32(0))
        inv_min = np.where(max_min > 0, F32(63) / max_min, F32(0))
    ls = np.minimum(_nearest(inv_scale * scales).astype(np.int64) & 0xFF, 63).astype(np.uint8)
    lm = np.minimum(_nearest(inv_min * mins).astype(np.int64) & 0xFF, 63).astype(np.uint8)
    return ls, lm, _f16(max_scale / F32(63)), _f16(max_min / F32(63))


def _pack_k_scales(ls: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """12 bytes per super-block: scales and mins 0-3 in the low 6 bits of bytes 0-7, those of 4-7 split into
    nibbles (bytes 8-11) and two high bits (on top of bytes 0-7). `ls`, `lm`: super-blocks × 8."""
    out = np.empty((ls.shape[0], 12), dtype=np.uint8)
    out[:, 0:4] = ls[:, 0:4] | ((ls[:, 4:8] >> 4) << 6)
    out[:, 4:8] = lm[:, 0:4] | ((lm[:, 4:8] >> 4) << 6)
    out[:, 8:12] = (ls[:, 4:8] & 0xF) | ((lm[:, 4:8] & 0xF) << 4)
    return out


def _quantize_qk(x: np.ndarray, nmax: int, rmin: float, rdelta: float, nstep: int) -> tuple[np.ndarray, ...]:
    """Q4_K (nmax 15) / Q5_K (nmax 31) levels for super-blocks `x` (n × 256): (levels n × 256, d, dmin, packed
    scales)."""
    n = x.shape[0]
    cols = np.ascontiguousarray(x.reshape(n * 8, 32).T)  # 32 values × sub-blocks
    av_x = np.sqrt(_sum(cols * cols) / F32(32))
    weights = av_x + np.abs(cols)
    levels, scales, mins = _qkx2(cols, weights, nmax, rmin, rdelta, nstep)
    ls, lm, d, dmin = _k_scales(scales.reshape(n, 8).T, mins.reshape(n, 8).T)
    sub_d = d.astype(F32)[None, :] * ls.astype(F32)  # 8 × n
    sub_m = dmin.astype(F32)[None, :] * lm.astype(F32)
    sub_d, sub_m = sub_d.T.reshape(1, n * 8), sub_m.T.reshape(1, n * 8)
    with np.errstate(divide="ignore", invalid="ignore"):
        again = np.clip(_nearest((cols + sub_m) / sub_d), 0, nmax)
    levels = np.where(sub_d != 0, again, levels)  # a zero sub-block scale keeps the search's levels
    levels = levels.T.reshape(n, QK_K).astype(np.uint8)
    return levels, d, dmin, _pack_k_scales(ls.T, lm.T)


def quantize_q4_k(x: np.ndarray) -> np.ndarray:
    """Q4_K blocks (144 bytes: d, dmin, 12 scale bytes, 128 bytes of 4-bit levels) of super-blocks `x` (n × 256)."""
    levels, d, dmin, scales = _quantize_qk(x, 15, -1.0, 0.1, 20)
    pairs = levels.reshape(-1, 4, 2, 32)
    qs = (pairs[:, :, 0] | (pairs[:, :, 1] << 4)).reshape(-1, 128)
    return np.concatenate([d.view(np.uint8).reshape(-1, 2), dmin.view(np.uint8).reshape(-1, 2), scales, qs], axis=1)


def quantize_q5_k(x: np.ndarray) -> np.ndarray:
    """Q5_K blocks (176 bytes: d, dmin, 12 scale bytes, 32 bytes of fifth bits, 128 bytes of low nibbles)."""
    levels, d, dmin, scales = _quantize_qk(x, 31, -0.5, 0.1, 15)
    pairs = levels.reshape(-1, 4, 2, 32)
    qs = ((pairs[:, :, 0] & 0xF) | ((pairs[:, :, 1] & 0xF) << 4)).reshape(-1, 128)
    shifts = (2 * np.arange(4, dtype=np.uint8))[None, :, None]
    qh = ((pairs[:, :, 0] >> 4) << shifts) | ((pairs[:, :, 1] >> 4) << (shifts + 1))
    qh = np.bitwise_or.reduce(qh, axis=1)
    return np.concatenate([d.view(np.uint8).reshape(-1, 2), dmin.view(np.uint8).reshape(-1, 2), scales, qh, qs],
                          axis=1)


def _qx(x: np.ndarray, nmax: int) -> tuple[np.ndarray, np.ndarray]:
    """make_qx_quants with rmse_type 1 (weights x²) for each column of `x`: (levels + nmax, scale)."""
    cols = np.arange(x.shape[1])
    ax = np.abs(x)
    top = x[ax.argmax(axis=0), cols]  # the first value of largest magnitude, with its sign
    zero = ax.max(axis=0) < GROUP_MAX_EPS
    top = np.where(zero, F32(1), top)
    w = x * x
    wx = w * x

    def trial(iscale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lv = np.clip(_nearest(iscale * x), -nmax, nmax - 1)
        return lv, _sum(wx * lv), _sum(w * lv * lv)

    levels, sumlx, suml2 = trial(-F32(nmax) / top)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(suml2 != 0, sumlx / suml2, F32(0))
        best = scale * sumlx
        for step in (*range(-9, 0), *range(1, 10)):
            lv, slx, sl2 = trial(-(F32(nmax) + F32(0.1) * F32(step)) / top)
            better = (sl2 > 0) & (slx * slx > best * sl2)
            levels = np.where(better, lv, levels)
            scale = np.where(better, slx / sl2, scale)
            best = np.where(better, scale * slx, best)
    return np.where(zero, F32(0), levels + nmax), np.where(zero, F32(0), scale)


def quantize_q6_k(x: np.ndarray) -> np.ndarray:
    """Q6_K blocks (210 bytes: 128 bytes of low nibbles, 64 of high bit pairs, 16 int8 scales, fp16 d)."""
    n = x.shape[0]
    cols = np.ascontiguousarray(x.reshape(n * 16, 16).T)  # 16 values × sub-blocks
    levels, scales = _qx(cols, 32)
    scales = scales.reshape(n, 16)
    pick = np.abs(scales).argmax(axis=1)
    max_scale = scales[np.arange(n), pick]
    empty = np.abs(max_scale) < GROUP_MAX_EPS
    with np.errstate(divide="ignore", invalid="ignore"):
        iscale = np.where(empty, F32(0), -F32(128) / max_scale)
        d = _f16(np.where(empty, F32(0), F32(1) / iscale))
    sc = np.minimum(_nearest(iscale[:, None] * scales), 127).astype(np.int8)
    sub_d = (d.astype(F32)[:, None] * sc.astype(F32)).reshape(1, n * 16)
    with np.errstate(divide="ignore", invalid="ignore"):
        again = np.clip(_nearest(cols / sub_d), -32, 31) + 32
    levels = np.where(sub_d != 0, again, levels).T.reshape(n, QK_K).astype(np.uint8)
    quads = levels.reshape(n, 2, 4, 32)  # halves of 128 values, each four runs of 32
    ql = np.concatenate([(quads[:, :, 0] & 0xF) | ((quads[:, :, 2] & 0xF) << 4),
                         (quads[:, :, 1] & 0xF) | ((quads[:, :, 3] & 0xF) << 4)], axis=2).reshape(n, 128)
    qh = ((quads[:, :, 0] >> 4) | ((quads[:, :, 1] >> 4) << 2) | ((quads[:, :, 2] >> 4) << 4)
          | ((quads[:, :, 3] >> 4) << 6)).reshape(n, 64)
    block = np.concatenate([ql, qh, sc.view(np.uint8), d.view(np.uint8).reshape(n, 2)], axis=1)
    block[empty] = 0
    return block


K_QUANTIZERS = {"Q4_K": quantize_q4_k, "Q5_K": quantize_q5_k, "Q6_K": quantize_q6_k}


def quantize(array: np.ndarray, type_name: str) -> np.ndarray:
    """`array` (rows × columns, float32) as blocks of ggml type `type_name`: uint8, rows × bytes per row."""
    import gguf
    from gguf.quants import quantize as gguf_quantize

    array = np.ascontiguousarray(array, dtype=F32)
    if type_name == "F32":
        return array
    if type_name == "F16":
        return array.astype(np.float16)
    if type_name not in K_QUANTIZERS:
        return gguf_quantize(array, gguf.GGMLQuantizationType[type_name])
    rows, columns = array.reshape(-1, array.shape[-1]).shape
    if columns % QK_K:
        raise ValueError(f"{type_name} needs rows of a multiple of {QK_K} values, not {columns}")
    flat = array.reshape(-1, QK_K)
    step = max(1, CHUNK_ROWS_VALUES // QK_K)
    blocks = np.concatenate([K_QUANTIZERS[type_name](flat[i:i + step]) for i in range(0, flat.shape[0], step)])
    return blocks.reshape(*array.shape[:-1], -1)


# llama.cpp file types (llama_ftype) by our quant name: (default tensor type, GGUF general.file_type)
FILE_TYPES = {"f32": ("F32", 0), "f16": ("F16", 1), "q8_0": ("Q8_0", 7), "q4_0": ("Q4_0", 2), "q5_0": ("Q5_0", 8),
              "q4_k_m": ("Q4_K", 15), "q5_k_m": ("Q5_K", 17), "q6_k": ("Q6_K", 18)}
BLOCK_SIZE = {"F32": 1, "F16": 1, "Q4_0": 32, "Q5_0": 32, "Q5_1": 32, "Q8_0": 32, "Q4_K": 256, "Q5_K": 256,
              "Q6_K": 256}
FALLBACK = {"Q4_K": "Q5_0", "Q5_K": "Q5_1", "Q6_K": "Q8_0"}  # a K-type on rows that 256 does not divide


def _more_bits(i: int, n: int) -> bool:
    """llama.cpp's use_more_bits: the first and last eighth of the layers and every third one between."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


@dataclass
class TypeMix:
    """llama.cpp's choice of tensor type per tensor for one file type (llama_tensor_get_type without an importance
    matrix, for dense models): call `type_for` on the tensors in file order, as llama-quantize visits them."""

    quant: str
    names: list[str]  # every tensor in the file, in order
    n_layer: int

    def __post_init__(self) -> None:
        self.default = FILE_TYPES[self.quant][0]
        self.tied = "output.weight" not in self.names
        self.n_attn_v = sum(1 for name in self.names if "attn_v.weight" in name or "attn_qkv.weight" in name)
        self.i_attn_v = 0
        self.i_ffn_down = 0

    def type_for(self, name: str, shape: tuple[int, ...]) -> str:
        """The tensor type of `name` (numpy shape: rows × columns); call once per tensor, in file order."""
        if len(shape) < 2 or not name.endswith("weight") or "_norm.weight" in name:
            return "F32"
        if self.default in ("F32", "F16"):
            return self.default
        chosen = self._mix(name, shape[-1])
        if shape[-1] % BLOCK_SIZE[chosen]:
            chosen = FALLBACK.get(chosen, chosen)
            if shape[-1] % BLOCK_SIZE[chosen]:
                chosen = "F16"
        return chosen

    def _mix(self, name: str, columns: int) -> str:
        new = self.default
        if self.quant == "q8_0":
            return new
        if name == "output.weight" or (self.tied and name == "token_embd.weight"):
            if columns % BLOCK_SIZE[new]:
                return "Q8_0"
            return new if new == "Q8_0" else "Q6_K"
        if name == "token_embd.weight":
            return new
        medium = self.quant in ("q4_k_m", "q5_k_m")
        if "attn_v.weight" in name or "attn_qkv.weight" in name:  # llama.cpp counts a fused qkv as a value tensor
            if medium and _more_bits(self.i_attn_v, self.n_attn_v):
                new = "Q6_K"
            self.i_attn_v += 1
        elif "ffn_down" in name:
            if medium and _more_bits(self.i_ffn_down, self.n_layer):
                new = "Q6_K"
            self.i_ffn_down += 1
        return new

