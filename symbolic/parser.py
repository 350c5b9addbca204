"""Safe parsing of user formulas such as ``"x*sigmoid(beta*x)"`` into sympy expressions.

The text is parsed by Python's ``ast`` into a syntax tree and *that tree* is walked: only numbers,
the variable ``x``, declared parameter names, the constants ``pi`` and ``E``, arithmetic
(``+ - * / ** ^``), comparisons inside ``Piecewise`` and calls of whitelisted functions are
accepted, and the sympy expression is built node by node. Nothing is ever evaluated as code:
attributes, subscripts, lambdas, keywords, strings, dunders and unknown names are rejected with a
message saying what is allowed.
"""

from __future__ import annotations

import ast
import operator
from typing import Iterable

import sympy as sp

from .functions import X, gauss_cdf, sigmoid, softplus
from .parameters import ParameterError, to_exact

MAX_LENGTH = 2000
MAX_NODES = 600
MAX_NUMERIC_EXPONENT = 1000


class FormulaError(ValueError):
    """The formula is unsafe or cannot be parsed; nothing was executed."""


def _relu(a):
    return sp.Max(0, a)


FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "arctan": sp.atan,
    "asinh": sp.asinh, "arcsinh": sp.asinh, "atanh": sp.atanh,
    "erf": sp.erf, "erfc": sp.erfc, "Phi": gauss_cdf,
    "sigmoid": sigmoid, "softplus": softplus, "relu": _relu,
    "Abs": sp.Abs, "abs": sp.Abs, "sign": sp.sign, "Heaviside": sp.Heaviside,
    "Max": sp.Max, "max": sp.Max, "Min": sp.Min, "min": sp.Min,
    "Piecewise": sp.Piecewise,
}
CONSTANTS = {"pi": sp.pi, "E": sp.E}

_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}
_COMPARE = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}


def _allowed_names(params: Iterable[str]) -> str:
    return (
        "x, " + ", ".join(sorted(set(params) | set(CONSTANTS)))
        + "; functions: " + ", ".join(sorted(FUNCTIONS))
    )


class _Builder:
    def __init__(self, text: str, params: dict[str, sp.Symbol]):
        self.text = text
        self.params = params

    def fail(self, node: ast.AST, why: str) -> FormulaError:
        col = getattr(node, "col_offset", None)
        where = f" at column {col + 1}" if col is not None else ""
        return FormulaError(f"unsafe or invalid formula{where}: {why}")

    def build(self, node: ast.AST, in_piecewise: bool = False):
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                if in_piecewise:
                    return sp.true if node.value else sp.false
                raise self.fail(node, "True/False only as a Piecewise condition")
            if isinstance(node.value, (int, float)):
                src = ast.get_source_segment(self.text, node) or repr(node.value)
                try:
                    return to_exact(src, "number")
                except ParameterError as err:
                    raise self.fail(node, str(err)) from None
            raise self.fail(node, f"{type(node.value).__name__} literals are not allowed")
        if isinstance(node, ast.Name):
            if node.id.startswith("__"):
                raise self.fail(node, f"dunder name {node.id!r} is not allowed")
            if node.id == "x":
                return X
            if node.id in self.params:
                return self.params[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in FUNCTIONS:
                raise self.fail(node, f"function {node.id!r} must be called, e.g. {node.id}(x)")
            raise self.fail(
                node,
                f"unknown name {node.id!r}: declare it as a parameter (params={{'{node.id}': 1}}, or --param "
                f"{node.id}=1) or use one of: {_allowed_names(self.params)}",
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.build(node.operand, in_piecewise)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left = self.build(node.left, in_piecewise)
            right = self.build(node.right, in_piecewise)
            if isinstance(node.op, ast.Pow) and right.is_number and left.is_number:
                if abs(float(right)) > MAX_NUMERIC_EXPONENT:
                    raise self.fail(node, f"numeric exponent {right} is larger than {MAX_NUMERIC_EXPONENT}")
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.Compare):
            if not in_piecewise:
                raise self.fail(node, "comparisons are only allowed as Piecewise conditions")
            if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
                raise self.fail(node, "a condition is one comparison with <, <=, > or >=")
            return _COMPARE[type(node.ops[0])](self.build(node.left), self.build(node.comparators[0]))
        if isinstance(node, ast.BoolOp) and in_piecewise:
            parts = [self.build(v, True) for v in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Tuple) and in_piecewise:
            if len(node.elts) != 2:
                raise self.fail(node, "a Piecewise branch is (expression, condition)")
            return (self.build(node.elts[0]), self.build(node.elts[1], True))
        if isinstance(node, ast.Attribute):
            raise self.fail(node, "attribute access ('.') is not allowed")
        if isinstance(node, ast.Lambda):
            raise self.fail(node, "lambda is not allowed")
        if isinstance(node, ast.Subscript):
            raise self.fail(node, "subscripts are not allowed")
        raise self.fail(node, f"{type(node).__name__} is not allowed")

    def _call(self, node: ast.Call):
        if isinstance(node.func, (ast.Lambda, ast.Attribute)):
            return self.build(node.func)  # refused with its own message
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only calls of whitelisted functions by name are allowed")
        name = node.func.id
        if name.startswith("__"):
            raise self.fail(node, f"dunder name {name!r} is not allowed")
        if name not in FUNCTIONS:
            raise self.fail(node, f"unknown function {name!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed")
        if name == "Piecewise":
            branches = [self.build(a, in_piecewise=True) for a in node.args]
            if not branches or not all(isinstance(b, tuple) for b in branches):
                raise self.fail(node, "Piecewise takes (expression, condition) pairs")
            return sp.Piecewise(*branches)
        args = [self.build(a) for a in node.args]
        try:
            return FUNCTIONS[name](*args)
        except TypeError as err:
            raise self.fail(node, f"{name}: {err}") from None


def parse_formula(text: str, params: Iterable[str] = ()) -> sp.Expr:
    """Parse ``text`` (a formula in ``x`` and the names in ``params``) safely into sympy.

    Parameter names become real sympy symbols of the same name.
    """
    if not isinstance(text, str):
        raise FormulaError("the formula must be a string")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters")
    names = list(params)
    for p in names:
        if not p.isidentifier() or p.startswith("_") or p in ("x", *FUNCTIONS, *CONSTANTS):
            raise FormulaError(f"invalid parameter name {p!r}")
    source = text.strip().replace("^", "**")  # ^ is the power with its precedence (as XOR, 2*x^2 would be (2*x)^2)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise FormulaError(f"cannot parse formula {text!r}: {err.msg}") from None
    n_nodes = sum(1 for _ in ast.walk(tree))
    if n_nodes > MAX_NODES:
        raise FormulaError(f"formula too large ({n_nodes} syntax nodes, limit {MAX_NODES})")
    symbols = {p: sp.Symbol(p, real=True) for p in names}
    expr = _Builder(source, symbols).build(tree)
    if isinstance(expr, tuple) or not isinstance(expr, sp.Expr):
        raise FormulaError("the formula must be an expression in x")
    return expr
