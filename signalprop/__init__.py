"""signalprop: mean-field signal propagation (Poole et al. 2016; Schoenholz et al. 2017).

Gaussian expectation engines in one (``gaussian``) and two (``bivariate``) dimensions, exact for kinked
and piecewise activations; maps, fixed points, criticality, SNN maps and universality classes.
"""

from .gaussian import (
    DivergentExpectationError,
    gaussian_moment,
    gaussian_moment_mp,
    hermite_coefficients,
    integrate_gaussian,
    integrate_gaussian_mp,
)

__all__ = ["DivergentExpectationError", "gaussian_moment", "gaussian_moment_mp", "hermite_coefficients", "integrate_gaussian",
           "integrate_gaussian_mp"]
from .bivariate import bivariate_moment, bivariate_moment_mp, feature_width, integrate_gaussian2, integrate_gaussian2_mp
from .quadrature import QuadratureError

__all__ += ["QuadratureError", "bivariate_moment", "bivariate_moment_mp", "feature_width", "integrate_gaussian2", "integrate_gaussian2_mp"]
from .maps import (
    EdgeOfChaos,
    FixedPoint,
    FixedPoints,
    chi1,
    critical_sigma_w2,
    edge_of_chaos,
    eoc_parameters,
    fixed_points,
    iterate_length_map,
    length_map,
    length_map_slope,
)

__all__ += [
    "EdgeOfChaos", "FixedPoint", "FixedPoints", "chi1", "critical_sigma_w2", "edge_of_chaos", "eoc_parameters", "fixed_points", "iterate_length_map", "length_map",
    "length_map_slope",
]
from .criticality import CONVENTION, CriticalInit, NoCriticalPointError, critical_init

__all__ += ["CONVENTION", "CriticalInit", "NoCriticalPointError", "critical_init"]
from .snn import SeluConstants, mean_variance_jacobian, mean_variance_map, solve_selu

__all__ += ["SeluConstants", "mean_variance_jacobian", "mean_variance_map", "solve_selu"]
from .universality import HalfStablePoint, UniversalityClass, chi_parallel, chi_perp, nonzero_critical_points, universality_class

__all__ += ["HalfStablePoint", "UniversalityClass", "chi_parallel", "chi_perp", "nonzero_critical_points", "universality_class"]
from .correlation import c_star, correlation_map, correlation_map_slope, iterate_maps, xi_c
from .propagation import Propagation, attracting_fixed_point, propagation

__all__ += ["Propagation", "attracting_fixed_point", "c_star", "correlation_map", "correlation_map_slope", "iterate_maps",
            "propagation", "xi_c"]
from .mixing import Mixture, mixture
from .competing import CriticalFraction, critical_fraction

__all__ += ["CriticalFraction", "Mixture", "critical_fraction", "mixture"]
from .phase import PHASES, PhaseDiagram, QTables, phase_diagram, q_tables

__all__ += ["PHASES", "PhaseDiagram", "QTables", "phase_diagram", "q_tables"]
from .laws import GatedLaw, GroupLaw, Law, MixtureLaw, Pointwise, UnsupportedLayerError, layer_law
from .group_duals import GroupDual, bivariate_cdf, group_dual

__all__ += ["GatedLaw", "GroupLaw", "Law", "MixtureLaw", "Pointwise", "UnsupportedLayerError", "layer_law"]
__all__ += ["GroupDual", "bivariate_cdf", "group_dual"]
from .architecture import (Dense, KernelState, Nonlinear, Norm, Product, Residual, Serial, block_chis, branch, covariance_slope,
                           has_attention, input_state, law_dual, maps, mlp, normalized_sum, post_norm_block, pre_norm_block, propagate,
                           resnet, units)

__all__ += ["block_chis", "covariance_slope", "Dense", "KernelState", "Nonlinear", "Norm", "Product", "Residual", "Serial", "branch", "has_attention", "input_state", "law_dual", "maps",
            "mlp", "normalized_sum", "post_norm_block", "pre_norm_block", "propagate", "resnet", "units"]
from . import shaping
from .shaping import Shaping, ShapingError, ShapingTargetError

__all__ += ["Shaping", "ShapingError", "ShapingTargetError", "shaping"]
from .depth_growth import DepthGrowth, depth_growth, local_exponents

__all__ += ["DepthGrowth", "depth_growth", "local_exponents"]
from .block_phase import BlockPhase, BlockPhaseDiagram, block_phase, block_phase_diagram, length_fixed_point

__all__ += ["BlockPhase", "BlockPhaseDiagram", "block_phase", "block_phase_diagram", "length_fixed_point"]
from . import attention_limits
from .attention_stats import STATISTICS, RowStatistics, row_statistics
from .gaussian_qmc import CovarianceError, QMCEstimate, covariance_root, qmc_expectation

__all__ += ["STATISTICS", "RowStatistics", "attention_limits", "row_statistics", "CovarianceError", "QMCEstimate",
            "covariance_root", "qmc_expectation"]
from .attention_kernel import Attention, AttentionKernel, attention_kernel, attention_nngp, small_qk_expansion

__all__ += ["Attention", "AttentionKernel", "attention_kernel", "attention_nngp", "small_qk_expansion"]
from .transformer import (TokenMaps, attention_block, exchangeable_kernel, mean_correlation, mlp_block, token_maps,
                          transformer)

__all__ += ["TokenMaps", "attention_block", "exchangeable_kernel", "mean_correlation", "mlp_block", "token_maps",
            "transformer"]
from .attention_phase import AttentionPhaseDiagram, attention_phase_diagram

__all__ += ["AttentionPhaseDiagram", "attention_phase_diagram"]

from .zoo_critical import STATUSES as CRITICAL_STATUSES, critical_row
__all__ += ["CRITICAL_STATUSES", "critical_row"]
