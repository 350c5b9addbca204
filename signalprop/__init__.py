"""signalprop: mean-field signal propagation (Poole et al. 2016; Schoenholz et al. 2017).

Gaussian expectation engines in one (``gaussian``) and two (``bivariate``) dimensions, exact for kinked
and piecewise activations; maps, fixed points, criticality, SNN maps and universality classes.

Each public name is imported from its module on first use (``symbolic.lazy``): ``import signalprop`` is cheap,
and a warm phase diagram (tables from the disk cache) imports neither sympy nor the 2-D engine.
"""

from symbolic.lazy import lazy_package

__all__ = lazy_package(__name__, {
    **dict.fromkeys(["DivergentExpectationError", "gaussian_moment", "gaussian_moment_mp", "hermite_coefficients",
                     "integrate_gaussian", "integrate_gaussian_mp"], "gaussian"),
    **dict.fromkeys(["bivariate_moment", "bivariate_moment_mp", "feature_width", "integrate_gaussian2",
                     "integrate_gaussian2_mp"], "bivariate"),
    "QuadratureError": "quadrature",
    **dict.fromkeys(["EdgeOfChaos", "FixedPoint", "FixedPoints", "chi1", "critical_sigma_w2", "edge_of_chaos",
                     "eoc_parameters", "fixed_points", "iterate_length_map", "length_map", "length_map_slope"], "maps"),
    **dict.fromkeys(["CONVENTION", "CriticalInit", "NoCriticalPointError", "critical_init"], "criticality"),
    **dict.fromkeys(["SeluConstants", "mean_variance_jacobian", "mean_variance_map", "solve_selu"], "snn"),
    **dict.fromkeys(["HalfStablePoint", "UniversalityClass", "chi_parallel", "chi_perp", "nonzero_critical_points",
                     "universality_class"], "universality"),
    **dict.fromkeys(["c_star", "correlation_map", "correlation_map_slope", "iterate_maps", "xi_c"], "correlation"),
    **dict.fromkeys(["Propagation", "attracting_fixed_point", "propagation"], "propagation"),
    **dict.fromkeys(["Mixture", "mixture"], "mixing"),
    **dict.fromkeys(["CriticalFraction", "critical_fraction"], "competing"),
    **dict.fromkeys(["PHASES", "PhaseDiagram", "QTables", "phase_diagram", "q_tables"], "phase"),
    **dict.fromkeys(["GatedLaw", "GroupLaw", "Law", "MixtureLaw", "Pointwise", "UnsupportedLayerError", "layer_law"], "laws"),
    **dict.fromkeys(["GroupDual", "bivariate_cdf", "group_dual"], "group_duals"),
    **dict.fromkeys(["Dense", "KernelState", "Nonlinear", "Norm", "Product", "Residual", "Serial", "block_chis",
                     "branch", "covariance_slope", "has_attention", "input_state", "law_dual", "maps", "mlp",
                     "normalized_sum", "post_norm_block", "pre_norm_block", "propagate", "resnet", "units"], "architecture"),
    "shaping": "shaping:",
    **dict.fromkeys(["Shaping", "ShapingError", "ShapingTargetError"], "shaping"),
    **dict.fromkeys(["DepthGrowth", "depth_growth", "local_exponents"], "depth_growth"),
    **dict.fromkeys(["BlockPhase", "BlockPhaseDiagram", "block_phase", "block_phase_diagram", "length_fixed_point"], "block_phase"),
    "attention_limits": "attention_limits:",
    **dict.fromkeys(["STATISTICS", "RowStatistics", "row_statistics"], "attention_stats"),
    **dict.fromkeys(["CovarianceError", "QMCEstimate", "covariance_root", "qmc_expectation"], "gaussian_qmc"),
    **dict.fromkeys(["Attention", "AttentionKernel", "attention_kernel", "attention_nngp", "small_qk_expansion"], "attention_kernel"),
    **dict.fromkeys(["TokenMaps", "attention_block", "exchangeable_kernel", "mean_correlation", "mlp_block",
                     "token_maps", "transformer"], "transformer"),
    **dict.fromkeys(["AttentionPhaseDiagram", "attention_phase_diagram"], "attention_phase"),
    "CRITICAL_STATUSES": "zoo_critical:STATUSES",
    "critical_row": "zoo_critical",
})
