"""Attention normalizers: vector-valued activations over a row of n logits (softmax, centred softmax, Scalable-Softmax, sparsemax,
softpick, StableMax, Self-Adjust Softmax, sigmoid / ReLU / |·| / user-formula element-wise attention), with exact Jacobians, ℓ2 Lipschitz constants,
and the overflow-free softmax algorithms (three-pass, online, two-pass)."""

from .base import AttentionError, Lipschitz, Normalizer, RatioForm, check_logits, check_tokens
from .centred import Centred
from .elementwise import ElementwiseAttention
from .registry import (
    NORMALIZERS,
    UnknownNormalizerError,
    elementwise_attention,
    get_normalizer,
    is_normalizer,
    normalizer_names,
)
from .softmax import ALGORITHMS, ScalableSoftmax, Softmax, online, three_pass, top_weight, two_pass
from .sparse import Softpick, Sparsemax
from .self_adjust import SelfAdjustSoftmax
from .stablemax import StableMax

__all__ = [
    "AttentionError", "Lipschitz", "Normalizer", "RatioForm", "check_logits", "check_tokens", "Centred", "ElementwiseAttention", "NORMALIZERS",
    "UnknownNormalizerError", "elementwise_attention", "get_normalizer", "is_normalizer", "normalizer_names",
    "ALGORITHMS", "ScalableSoftmax", "Softmax", "online", "three_pass", "top_weight", "two_pass", "SelfAdjustSoftmax", "Softpick", "Sparsemax", "StableMax",
]
