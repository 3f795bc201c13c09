"""The coverage table of the TorchScript frontend's own errors (issue 15, part 4).

Writes ``tests/data/compiler_errors.json`` (machine-readable) and ``docs/compiler-errors.md``
(the checklist). Run with torch installed::

    python tools/compiler_errors.py            # write both files
    python tools/compiler_errors.py --check    # exit 1 if either differs

Where the messages come from:

- **C++ side** (``torch/csrc/jit/frontend/*.cpp``, ``torch/csrc/jit/python/python_sugared_value.cpp``):
  extracted by reading the sources (the ``throw ErrorReport(...) << "..."`` statements,
  ``TORCH_CHECK`` messages a user program can trigger), written below as templates with
  ``{placeholders}``. Each one's literal pieces (``probes``) are checked against the string
  table of the installed ``libtorch_cpu.so`` / ``libtorch_python.so``, so every row is a message
  torch 2.13 really contains (rows were reworded or dropped where 2.13 says it otherwise).
- **Python side** (``torch/jit/frontend.py``, ``torch/_jit_internal.py``, ``torch/jit/_recursive.py``,
  ``torch/jit/_script.py``, ``torch/jit/annotations.py``): every ``raise`` with its file:line,
  extracted from the installed torch with ``ast``, plus one row per construct
  ``UnsupportedNodeError`` names.

Each row is mapped to the rule codes that predict it (``status: rule``), or
``undecidable`` (with the reason), ``internal`` (not an error of user code: internal
consistency checks, misuse of torch APIs from Python, pickling), or ``none`` (no rule yet:
the checklist).
"""

from __future__ import annotations

import argparse
import ast
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
JSON_OUT = ROOT / "tests" / "data" / "compiler_errors.json"
MD_OUT = ROOT / "docs" / "compiler-errors.md"

# ---- status shorthands -------------------------------------------------------------------
# a list of codes = predicted by those rules; "U:reason" undecidable; "I:reason" internal;
# "N" or "N:note" no rule yet.
I_INTERNAL = "I:internal consistency check (a bug in torch, not in the user's code)"
I_CPP_FRONTEND = "I:only reachable from TorchScript source strings (torch.jit.CompilationUnit, the C++ frontend), not from Python source"
U_TYPES = "U:needs the TorchScript type of an arbitrary expression; reported where the type checker knows it"
U_RUNTIME_PY = "I:raised by a torch Python API at run time (pickling, mutating a ScriptModule), not by compiling"

CPP = [
    # (file, function, message template, status)
    ("schema_matching.cpp", "tryMatchArgument", "Could not match type {actual} to {formal} in argument '{name}': {reason}.", U_TYPES),
    ("schema_matching.cpp", "tryMatchArgument", "Type variables in type {formal} could not be inferred from actual type {actual}", U_TYPES),
    ("schema_matching.cpp", "tryMatchArgument", "Expected a value of type '{formal}' for argument '{name}' but instead found type '{actual}'.", ["JIT151", "JIT164", "JIT201", "JIT202", "JIT210", "JIT211", "JIT212"]),
    ("schema_matching.cpp", "tryMatchArgument", "Inferred the value for argument '{name}' to be of type 'Tensor' because it was not annotated with an explicit type.", ["JIT201", "JIT210", "JIT212"]),
    ("schema_matching.cpp", "tryMatchArgument", "Empty lists default to List[Tensor]. Add a variable annotation to the assignment to create an empty list of another type", ["JIT205", "JIT208"]),
    ("schema_matching.cpp", "tryMatchSchema", "Argument {name} not provided.", ["JIT150", "JIT151", "JIT158", "JIT164"]),
    ("schema_matching.cpp", "tryMatchSchema", "Argument {name} specified twice in schema, submit a bug report!", I_INTERNAL),
    ("schema_matching.cpp", "tryMatchSchema", "Provided self argument not used in schema.", "N:a Tensor method whose operator has no self-taking overload (JIT150 checks only methods with one)"),
    ("schema_matching.cpp", "tryMatchSchema", "Expected at most {n} arguments but found {m} positional arguments.", ["JIT150", "JIT151", "JIT158", "JIT164"]),
    ("schema_matching.cpp", "tryMatchSchema", "Keyword argument {name} unknown.", ["JIT145", "JIT150", "JIT151", "JIT158", "JIT164"]),
    ("schema_matching.cpp", "tryMatchSchema", "Keyword argument {name} specified twice.", ["JIT150", "JIT151", "JIT158", "JIT164"]),
    ("schema_matching.cpp", "matchSchemas", "Arguments for call are not valid.", ["JIT145", "JIT150", "JIT211", "JIT163"]),
    ("schema_matching.cpp", "emitBuiltinCall", "Unknown builtin op: {op}.", ["JIT145", "JIT144"]),
    ("schema_matching.cpp", "emitBuiltinCall", "Could not find any similar ops to {op}. This op may not exist or may not be currently supported in TorchScript.", ["JIT145", "JIT144"]),
    ("script_type_parser.cpp", "subscriptToType", "Tuple literal in Tuple type annotation must not have any elements!", "N"),
    ("script_type_parser.cpp", "subscriptToType", "{List|Optional|Future|RRef} expected exactly one element type but found {n}", ["JIT207"]),
    ("script_type_parser.cpp", "subscriptToType", "Dict expected exactly 2 element types but found {n}", ["JIT207"]),
    ("script_type_parser.cpp", "subscriptToType", "Unknown type constructor {name}", ["JIT207"]),
    ("script_type_parser.cpp", "parseBroadcastList", "BroadcastingList/Optional[BroadcastingList] must be subscripted with a type", "N"),
    ("script_type_parser.cpp", "parseBroadcastList", "Broadcastable lists only supported for int or float", "N"),
    ("script_type_parser.cpp", "parseBroadcastList", "subscript of Broadcastable list must be a positive integer", "N"),
    ("script_type_parser.cpp", "parseTypeFromExprImpl", "Subscripted type must be a type identifier", ["JIT207"]),
    ("script_type_parser.cpp", "parseTypeFromExprImpl", "Unknown type name '{name}'", ["JIT207", "JIT114", "JIT162", "JIT133"]),
    ("script_type_parser.cpp", "parseTypeFromExprImpl", "Expression of type {kind} cannot be used in a type expression", ["JIT207", "JIT133"]),
    ("script_type_parser.cpp", "parseArgsFromDecl", "Keyword arguments with defaults need to be type-hinted (TorchScript C++ frontend)", I_CPP_FRONTEND),
    ("script_type_parser.cpp", "parseReturnFromDecl", "Broadcastable lists cannot appear as a return type", "N"),
    ("script_type_parser.cpp", "parseClassConstant", "Expected to a variable for class constant", "N:class-level constants of TorchScript classes"),
    ("script_type_parser.cpp", "parseClassConstant", "Expected a type to present for class constant", "N:class-level constants of TorchScript classes"),
    ("script_type_parser.cpp", "parseClassConstant", "Expected subscripted type for class constant", "N:class-level constants of TorchScript classes"),
    ("script_type_parser.cpp", "parseClassConstant", "Base type must be Final for class constant", "N:class-level constants of TorchScript classes"),
    ("parser.cpp", "parseAssignment", "Annotated multiple assignment is not supported in python", I_CPP_FRONTEND),
    ("parser.cpp", "parseAugAssign", "augmented assignment can only have one LHS expression", I_CPP_FRONTEND),
    ("parser.cpp", "parseSubscriptExp", "expected a single list comprehension within '[' , ']'", I_CPP_FRONTEND),
    ("ir_emitter.cpp", "Environment::setSugaredVar", "Attempting to declare and annotate the type of variable '{name}' but it is already defined in an outer block", "N"),
    ("ir_emitter.cpp", "Environment::setSugaredVar", "Cannot re-assign '{name}' to a value of type {kind} because {name} is not a first-class value.  Only reassignments to first-class values are allowed", "N"),
    ("ir_emitter.cpp", "Environment::setSugaredVar", "Cannot re-assign '{name}' because it has type {kind} and {name} is not a first-class value.  Only reassignments to first-class values are allowed", "N"),
    ("ir_emitter.cpp", "Environment::setSugaredVar", "Variable '{name}' previously had type {old} but is now being assigned to a value of type {new}", ["JIT116", "JIT204", "JIT205"]),
    ("ir_emitter.cpp", "Environment::setSugaredVar", "Variable '{name}' is annotated with type {annotated} but is being assigned to a value of type {actual}", ["JIT148"]),
    ("ir_emitter.cpp", "Environment::throwVarNotFoundError", "undefined value {name}", ["JIT107", "JIT114", "JIT115", "JIT156"]),
    ("ir_emitter.cpp", "to_ir::to_ir", "methods must have a self argument", "N"),
    ("ir_emitter.cpp", "handleMaybeNoReturn", "Function was not annotated as having type None, but does not return along all paths", ["JIT112"]),
    ("ir_emitter.cpp", "getTypeForSetStateArg", "Expected __setstate__ to have a `self` argument", I_INTERNAL),
    ("ir_emitter.cpp", "getTypeForSetStateArg", "`__setstate__` defined but not `__getstate__`. You must have both defined on a ScriptModule to customize serialization.", "N"),
    ("ir_emitter.cpp", "shouldDeriveSetStateType", "Expected 2 arguments for `__setstate__`, got: {n}", "N"),
    ("ir_emitter.cpp", "emitFormalArguments", "Number of type annotations for function parameters ({n}) does not match the number of parameters on the function ({m})!", "N:type comments (# type:) with the wrong number of types"),
    ("ir_emitter.cpp", "checkBreakContinue", "SyntaxError: '{stmt}' outside loop", ["JIT001"]),
    ("ir_emitter.cpp", "checkBreakContinue", "Because we emit iteration over modulelists or tuples as unrolled loops, we do not support break or continue inside the body of these loops", "N"),
    ("ir_emitter.cpp", "emitDelete", "del statements only support deletion at a single index, slicing is not supported (see https://github.com/pytorch/pytorch/issues/31430)", ["JIT152"]),
    ("ir_emitter.cpp", "emitDelete", "Class does not define __delitem__", "N"),
    ("ir_emitter.cpp", "emitDelete", "del statements are only supported for deleting list and dict items and variables", ["JIT152"]),
    ("ir_emitter.cpp", "emitReturn", "Return value was annotated as having type {annotated} but is actually of type {actual}", ["JIT111", "JIT157", "JIT205"]),
    ("ir_emitter.cpp", "emitReturn", "Previous return statement returned a value of type {old} but this return statement returns a value of type {new}", ["JIT111"]),
    ("ir_emitter.cpp", "emitStatements", "Unrecognized statement kind {kind}", I_INTERNAL),
    ("ir_emitter.cpp", "emitIfExpr", "if-expression's true branch has type {t} but false branch has type {f}", ["JIT128"]),
    ("ir_emitter.cpp", "emitToBool", "Could not cast value of type {type} to bool", ["JIT203", "JIT209", "JIT160", "JIT163"]),
    ("ir_emitter.cpp", "emitToBool", "expected a bool expression for condition but found {type}", ["JIT203", "JIT209"]),
    ("ir_emitter.cpp", "emitIfElseBlocks", "{name} is not defined in the false branch", ["JIT115"]),
    ("ir_emitter.cpp", "emitIfElseBlocks", "{name} is not defined in the true branch", ["JIT115"]),
    ("ir_emitter.cpp", "emitIfElseBlocks", "Type mismatch: {name} is set to type {t} in the true branch and type {f} in the false branch", ["JIT116", "JIT155", "JIT204"]),
    ("ir_emitter.cpp", "emitHasAttr", "hasattr's second argument must be a string literal", ["JIT149"]),
    ("ir_emitter.cpp", "emitFor", "List of iterables is not supported currently", I_CPP_FRONTEND),
    ("ir_emitter.cpp", "emitWith", "With item expression must return an object", ["JIT102", "JIT153"]),
    ("ir_emitter.cpp", "emitWith", "Object returned by with item expression does not define __enter__ and __exit__ methods", ["JIT102", "JIT153"]),
    ("ir_emitter.cpp", "emitWith", "__enter__ must have only one argument and one return value", ["JIT153"]),
    ("ir_emitter.cpp", "emitWith", "__exit__ must have four arguments", ["JIT153"]),
    ("ir_emitter.cpp", "emitWith", "argument {i} of __exit__ must have Any type; TorchScript does not currently support passing exception type, value, or traceback to the __exit__ function.", ["JIT153"]),
    ("ir_emitter.cpp", "emitRaise", "exceptions must derive from BaseException", "N"),
    ("ir_emitter.cpp", "validateAssignLhsExpr", "lhs of assignment must be a variable, subscript, or starred expression", ["JIT118"]),
    ("ir_emitter.cpp", "validateAssignLhsExpr", "Only one starred expression is allowed on the lhs", ["JIT118"]),
    ("ir_emitter.cpp", "validateAssignLhsExpr", "A Starred expression may only appear on the lhs within the presence of another non-starred expression", ["JIT118"]),
    ("ir_emitter.cpp", "getAugOp", "Unknown augmented assignment: {op}", ["JIT129"]),
    ("ir_emitter.cpp", "emitAugAssignment", "unexpected expression on left-hand side of augmented assignment", "N:augmented assignment on a tuple element (issue 15 part 3)"),
    ("ir_emitter.cpp", "emitAugAssignmentHelper", "Cannot emit inplace op on {type} since it does not define an {imethod} or {method} method", "N"),
    ("ir_emitter.cpp", "emitAugAssignmentGeneric", "Sliced expression not yet supported for {type} augmented assignment. File a bug if you want this", "N"),
    ("ir_emitter.cpp", "emitAugAssignmentGeneric", "{type} does not support augmented assignment.", ["JIT152"]),
    ("ir_emitter.cpp", "emitSubscriptAssign", "Sliced expression not yet supported for subscripted assignment. File a bug if you want this", "N"),
    ("ir_emitter.cpp", "emitSubscriptAssign", "{type} does not support subscripted assignment", ["JIT152"]),
    ("ir_emitter.cpp", "emitTupleAssign", "need {n} values to unpack but found only {m}", U_TYPES),
    ("ir_emitter.cpp", "emitTupleAssign", "too many values to unpack: need {n} but found {m}", U_TYPES),
    ("ir_emitter.cpp", "emitExprsAssign", "Cannot pack a tuple into a non-variable", ["JIT118"]),
    ("ir_emitter.cpp", "emitExprsAssign", "unexpected expression on the left-hand side", "N"),
    ("ir_emitter.cpp", "emitSingleAssignment", "For an assignment, expected an expression on the right-hand side", ["JIT147"]),
    ("ir_emitter.cpp", "emitSingleAssignment", "unexpected expression on left-hand side of assignment", "N"),
    ("ir_emitter.cpp", "emitSelectAssign", "Expected RHS for assignment", "N:annotated attribute without a value"),
    ("ir_emitter.cpp", "checkApplyNumInputs", "{name} expected exactly {n} arguments but found {m}", ["JIT133", "JIT134"]),
    ("tree.h", "Tree::matchNumSubtreesD", "expecting kind '{kind}' but found '{found}'", ["JIT133"]),
    ("ir_emitter.cpp", "checkApplyNumInputs", "{name} takes no keyword arguments", ["JIT134"]),
    ("ir_emitter.cpp", "emitApplySpecialForm", "Expected at least one argument to fork()", "N"),
    ("ir_emitter.cpp", "emitApplySpecialForm", "Expected at least one argument to awaitable()", "N"),
    ("ir_emitter.cpp", "emitApplySpecialForm", "expected an expression of type {type} but found {actual}", U_TYPES),
    ("ir_emitter.cpp", "emitApplySpecialForm", "getattr's second argument must be a string literal", ["JIT134"]),
    ("ir_emitter.cpp", "emitApplySpecialForm", "Expected type hint for result of tolist()", ["JIT206"]),
    ("ir_emitter.cpp", "emitApplySpecialForm", "Only one argument to __new__ allowed", "N"),
    ("ir_emitter.cpp", "emitApplySpecialForm", "Expected class value as argument to __new__, got {kind} instead", "N"),
    ("ir_emitter.cpp", "emitApplySpecialForm", "enumerate expected at least 1 arguments, got 0", ["JIT149"]),
    ("ir_emitter.cpp", "emitApplySpecialForm", "enumerate expected at most 2 arguments, got {n}", ["JIT149"]),
    ("ir_emitter.cpp", "emitApplySpecialForm", "enumerate expected kwarg name 'start', got '{name}'", ["JIT149"]),
    ("ir_emitter.cpp", "emitApplySpecialForm", "zip expected at least 1 arguments, got 0", ["JIT149"]),
    ("ir_emitter.cpp", "emitApplySpecialForm", "__getitem__ expected exactly 1 arguments, got {n}", "N"),
    ("ir_emitter.cpp", "emitApplySpecialForm", "Got multiple positional arguments that were not all integers", "N"),
    ("ir_emitter.cpp", "emitApplySpecialFormForList", "Expected list type annotation for list(), found {type}", U_TYPES),
    ("ir_emitter.cpp", "emitApplySpecialFormForDict", "Expected a type annotation of Dict for dict constructor dict(), got {type}", U_TYPES),
    ("ir_emitter.cpp", "emitRpcExpr", "Possible forms of call to {op}(..) are", "N:torch.distributed.rpc calls"),
    ("ir_emitter.cpp", "emitRpcExpr", "{op}(dst_worker_name, user_callable, args, kwargs)does not support kwargs yet", "N:torch.distributed.rpc calls"),
    ("ir_emitter.cpp", "emitRpcExpr", "{op} is not supported in TorchScript!'", I_INTERNAL),
    ("ir_emitter.cpp", "emitSimpleExpr", "Unexpected starred expansion. File a bug report", ["JIT118"]),
    ("ir_emitter.cpp", "emitListLiteral", "List type annotation `{ann}` did not match the types of the given list elements, which were inferred to be {types}", ["JIT148", "JIT157"]),
    ("ir_emitter.cpp", "emitDictLiteral", "Type annotation was inferred to be `{ann}`, but the type of values given by the dict literal is {t}", ["JIT148"]),
    ("ir_emitter.cpp", "emitListLiteral", "Cannot assign an empty list to a variable annotated to be type {t} because there are multiple possible List type candidates in the Union annotation", "N"),
    ("ir_emitter.cpp", "emitDictLiteral", "Dicts may only contain homogeneous keys. Expected {t}", ["JIT131", "JIT137"]),
    ("ir_emitter.cpp", "emitDictLiteral", "Cannot assign an empty dict to a variable annotated to be type {t} because there are multiple possible Dict type candidates in the Union annotation", "N"),
    ("ir_emitter.cpp", "emitIntAndSliceIndexing", "Ellipses followed by tensor indexing is currently not supported", "N"),
    ("ir_emitter.cpp", "emitIntAndSliceIndexing", "Unsupported operation: indexing tensor with unsupported index type '{type}'. Only ints, slices, lists and tensors are supported", U_TYPES),
    ("ir_emitter.cpp", "emitIntAndSliceIndexing", "An index can only have a single ellipsis ('...')", "N"),
    ("ir_emitter.cpp", "emitMultidimSlicing", "Unsupported operation: attempted to use multidimensional indexing on a non-tensor type", U_TYPES),
    ("ir_emitter.cpp", "getAdjTupleIndex", "Tuple index out of range. Tuple is length {n} and index is {i}", U_TYPES),
    ("ir_emitter.cpp", "emitTupleIndex", "tuple index must be an integer", U_TYPES),
    ("ir_emitter.cpp", "emitTupleIndex", "Cannot index into a {type} with a non-integer literal because we cannot resolve the output type", "N"),
    ("ir_emitter.cpp", "getSliceInd", "tuple slice indices must be integer constants", "N"),
    ("ir_emitter.cpp", "emitTupleSlice", "Step size should always be an integer", "N"),
    ("ir_emitter.cpp", "emitConst", "Integral constant out of range (must fit in a signed 64 bit integer)", "N"),
    ("ir_emitter.cpp", "emitApplyExpr", "Recursive calls are not supported", ["JIT113"]),
    ("ir_emitter.cpp", "LegacyTensorConstructor", "Legacy Tensor Constructor only supports two schemas in TorchScript: 'new(IntArrayRef size, *, Device? device=None)',", ["JIT145"]),
    ("ir_emitter.cpp", "define_hooks", "Can't define hook: {name} on class: {cls} because a method or hook with that name already exists.", "N"),
    ("ir_emitter.cpp", "define_interface", "interface declarations can only contain method definitions", "N"),
    ("ir_emitter.cpp", "define_interface", "interface declarations must have a return type annotated.", "N"),
    ("ir_emitter.cpp", "define_interface", "interfaces declarations should only contain a single 'pass' statement.", "N"),
    ("ir_emitter.cpp", "define_interface", "interfaces declarations should contain 'pass' statement.", "N"),
    ("sugared_value.cpp", "PrintValue::call", "print doesn't accept any keyword arguments", ["JIT149"]),
    ("sugared_value.cpp", "SimpleValue::hasAttr", "hasattr's first argument must be an object or NamedTuple, got {type} instead", "N"),
    ("sugared_value.cpp", "SimpleValue::attr", "'{type}' object has no attribute or method '{field}'.", ["JIT145", "JIT138", "JIT143", "JIT139", "JIT163", "JIT146", "JIT165"]),
    ("sugared_value.cpp", "SimpleValue::attr", "'{name}' is defined as a class attribute which currently is not supported. Consider converting this to an instance attribute.", "N"),
    ("sugared_value.cpp", "SimpleValue::asTuple", "cannot statically infer the expected size of a list in this context", ["JIT118"]),
    ("sugared_value.cpp", "SimpleValue::asTuple", "Provided tuple is not fully defined/refined including its element types, please provide a value of type like Tuple[int, int]", "N"),
    ("sugared_value.cpp", "SimpleValue::setAttr", "Assignment to attribute '{field}' cannot be of a type that contains class '{cls}'.", "N"),
    ("sugared_value.cpp", "SimpleValue::setAttr", "First assignment cannot be in a control-flow block. Initialize the field at the top level first", "N"),
    ("sugared_value.cpp", "SimpleValue::setAttr", "Tried to set read-only attribute: {field}", "N"),
    ("sugared_value.cpp", "SimpleValue::setAttr", "Tried to set nonexistent attribute: {field}. Did you forget to initialize it in __init__()?", ["JIT138"]),
    ("sugared_value.cpp", "SimpleValue::setAttr", "Tried to set an attribute: {field} on a non-class: {type}", ["JIT165"]),
    ("sugared_value.cpp", "SimpleValue::setAttr", "Wrong type for attribute assignment. Expected {expected} but got {actual}", U_TYPES),
    ("sugared_value.cpp", "SimpleValue::len", "'{type}' object is not iterable", ["JIT143"]),
    ("sugared_value.cpp", "SimpleValue::getitem", "'{type}' object is not subscriptable", U_TYPES),
    ("sugared_value.cpp", "RangeValue::RangeValue", "all inputs of range must be ints, found {type} in argument {i}", ["JIT201"]),
    ("sugared_value.cpp", "RangeValue::RangeValue", "range expected at least 1 arguments, got 0", ["JIT149"]),
    ("sugared_value.cpp", "RangeValue::RangeValue", "range expected at most 3 arguments, got {n}", ["JIT149"]),
    ("sugared_value.cpp", "IterableTree::addChild", "Can not iterate over a module list or tuple with a value that does not have a statically determinable length", "N"),
    ("sugared_value.cpp", "ClassValue::call", "Class {name} does not have an __init__ function defined", ["JIT136"]),
    ("sugared_value.cpp", "ClassValue::attr", "Tried to lookup unknown attribute on class {cls}", ["JIT142", "JIT162"]),
    ("sugared_value.cpp", "SugaredEnumClass::attr", "{enum}' has no attribute '{field}'", "N"),
    ("sugared_value.cpp", "ModuleValue::getitem", "Expected integer literal for index but got a variable or non-integer. ModuleList/Sequential indexing is only supported with integer literals.", ["JIT140"]),
    ("sugared_value.cpp", "TorchCheckValue::call", "torch._check() expects 1 or 2 arguments, got {n}", "N"),
    ("sugared_value.cpp", "TorchCheckValue::call", "torch._check() got unexpected keyword argument '{name}'", "N"),
    ("sugared_value.h", "SugaredValue::call", "cannot call a {kind}", ["JIT134", "JIT143", "JIT107"]),
    ("sugared_value.h", "SugaredValue::attr", "attribute lookup is not defined on {kind}", ["JIT144", "JIT142"]),
    ("sugared_value.h", "SugaredValue::asValue", "{kind} cannot be used as a value", ["JIT144", "JIT134", "JIT103"]),
    ("sugared_value.h", "SugaredValue::iter", "'{kind}' object is not iterable", ["JIT143"]),
    ("python_sugared_value.cpp", "PythonValue::getSchema", "Non-static method does not have a self argument", "N"),
    ("python_sugared_value.cpp", "PythonValue::asTuple", "python value of type '{type}' cannot be used as a tuple", ["JIT118", "JIT144"]),
    ("python_sugared_value.cpp", "PythonValue::attr", "attribute lookup is not defined on python value of type '{type}'", ["JIT144", "JIT107", "JIT162"]),
    ("python_sugared_value.cpp", "PythonValue::getattr", "object has no attribute {name}", ["JIT144", "JIT145"]),
    ("python_sugared_value.cpp", "PythonValue::checkForAddToConstantsError", ". Did you forget to add it to __constants__? ", ["JIT137"]),
    ("python_sugared_value.cpp", "ModuleValue::asTupleValue", "Only ModuleList or Sequential modules can be used as tuple", "N"),
    ("python_sugared_value.cpp", "ModuleValue::areAllSubmodulesSubtypeOf", "Attribute {name} is not of annotated type {type}: {why}", ["JIT159"]),
    ("python_sugared_value.cpp", "ModuleValue::getitem", "Key Error, {key}", "N"),
    ("python_sugared_value.cpp", "ModuleValue::getitem", "Unable to extract string literal index. ModuleDict indexing is only supported with string literals. Enumeration of ModuleDict is supported, e.g. 'for k, v in self.items(): ...'", ["JIT140"]),
    ("python_sugared_value.cpp", "ModuleValue::getitem", "Only ModuleList, Sequential, ModuleDict, ParameterList, and ParameterDict modules are subscriptable", "N"),
    ("python_sugared_value.cpp", "checkInterface", "Could not compile {field}() because module is an interface type. Please file issue.", "N"),
    ("python_sugared_value.cpp", "ModuleValue::attr", "Module '{cls}' has no attribute '{field}' {hint}", ["JIT137", "JIT208", "JIT143", "JIT138", "JIT146"]),
    ("python_sugared_value.cpp", "ModuleValue::iter", "Only constant Sequential, ModuleList, ModuleDict, or ParameterList can be used as an iterable", ["JIT143"]),
    ("python_sugared_value.cpp", "BooleanDispatchValue::call", "Argument for boolean dispatch at position {i} was not constant", "N"),
    ("python_sugared_value.cpp", "BooleanDispatchValue::call", "Keyword argument '{name}' for boolean dispatch at position was not constant", "N"),
    ("python_sugared_value.cpp", "registerNamedTuple", "Tensors are not supported as default NamedTuple fields. Their mutability could lead to potential memory aliasing problems", ["JIT166"]),
    ("python_sugared_value.cpp", "registerNamedTuple", "Can't redefine NamedTuple: {type}", "N"),
    ("python_sugared_value.cpp", "PythonSliceClass::call", "Slice does not accept any keyword arguments", ["JIT149"]),
    ("python_sugared_value.cpp", "PythonSliceClass::call", "slice accepts exactly 1, 2 or 3 arguments, got: {n}", ["JIT149"]),
    ("python_sugared_value.cpp", "toSugaredValue", "Cannot call a ScriptModule that is not a submodule of the caller", "N"),
    ("python_sugared_value.cpp", "toSugaredValue", "Python builtin {fn} is currently not supported in Torchscript", ["JIT134", "JIT144"]),
]

# UnsupportedNodeError (torch/jit/frontend.py): "<feature> aren't supported", one row per
# Python construct the frontend has no builder for.
UNSUPPORTED_NODES = [
    ("Try", "Try aren't supported", ["JIT101"]),
    ("TryStar", "TryStar aren't supported", ["JIT101"]),
    ("Lambda", "Lambda aren't supported", ["JIT103"]),
    ("ClassDef", "class definitions aren't supported", ["JIT104"]),
    ("AsyncFunctionDef", "AsyncFunctionDef aren't supported", ["JIT105"]),
    ("AsyncFor", "AsyncFor aren't supported", ["JIT105"]),
    ("AsyncWith", "AsyncWith aren't supported", ["JIT105"]),
    ("Await", "Await aren't supported", ["JIT105"]),
    ("Yield", "Yield aren't supported", ["JIT105"]),
    ("YieldFrom", "YieldFrom aren't supported", ["JIT105"]),
    ("GeneratorExp", "GeneratorExp aren't supported", ["JIT124"]),
    ("Global", "global variables aren't supported", ["JIT106"]),
    ("Nonlocal", "Nonlocal aren't supported", ["JIT106"]),
    ("Import", "import statements aren't supported", ["JIT110"]),
    ("ImportFrom", "import statements aren't supported", ["JIT110"]),
    ("NamedExpr", "NamedExpr aren't supported", ["JIT109"]),
    ("Set", "Set aren't supported", ["JIT123"]),
    ("SetComp", "SetComp aren't supported", ["JIT123"]),
    ("Match", "Match aren't supported", "N:match statements"),
    ("TypeAlias", "TypeAlias aren't supported", "N:type statements (Python 3.12)"),
    ("AnnAssign", "annotated assignments without assigned value aren't supported", ["JIT147"]),
]

# Python-side raises, keyed by "file:message template" (the line moves; the key does not).
PY_STATUS = {
    "jit/frontend.py:Expected class definition, got {type(class_ast).__name__}": I_INTERNAL,
    "jit/frontend.py:Expected a single top-level function: {parsed_def.filename}:{parsed_def.file_lineno}": I_INTERNAL,
    "jit/frontend.py:Type annotations on instance attributes must be declared in __init__, not '{ctx.funcname}': {sr}": ["JIT138"],
    "jit/frontend.py:unsupported kind of augmented assignment: {op.__name__}": ["JIT129"],
    "jit/frontend.py:else branches of while loops aren't supported": ["JIT108"],
    "jit/frontend.py:else branches of for loops aren't supported": ["JIT108"],
    "jit/frontend.py:print statements with non-default destinations aren't supported": "N:print(..., file=...)",
    "jit/frontend.py:names of variables used in JIT-ed functions can't start with {_reserved_prefix}": "N:names starting with __jit",
    "jit/frontend.py:Division of ints in TorchScript uses Python 3 true division semantics. Please put `from __future__ import division` at the top of your file": "I:Python 2 only",
    "jit/frontend.py:unsupported binary operator: {op.__name__}": ["JIT129", "JIT130"],
    "jit/frontend.py:unsupported unary operator: {op.__name__}": "N:unary + (UAdd)",
    "jit/frontend.py:expected at least 2 values in BoolOp, but got {str(len(expr.values))}": I_INTERNAL,
    "jit/frontend.py:unsupported boolean operator: {op.__name__}": I_INTERNAL,
    "jit/frontend.py:Dict expansion (e.g. `{**dict}`) is not supported": ["JIT119"],
    "jit/frontend.py:Only a single generator is currently supported": ["JIT124"],
    "jit/frontend.py:Comprehension ifs are not supported yet": ["JIT124"],
    "jit/frontend.py:keyword-arg expansion is not supported": ["JIT119"],
    "jit/frontend.py:unsupported comparison operator: {op.__name__}": "N:chained `is`/`in` forms the frontend lacks",
    "jit/frontend.py:slicing multiple dimensions with tuples not supported yet": "N",
    "jit/frontend.py:Unknown Constant expression type": "N:bytes literals and complex Ellipsis uses",
    "jit/frontend.py:Don't support conversion in JoinedStr": ["JIT125"],
    "jit/frontend.py:Don't support formatting in JoinedStr": ["JIT125"],
    "jit/frontend.py:Unsupported value in JoinedStr": ["JIT125"],
    "jit/frontend.py:Name constant value unsupported: {str(expr.value)}": I_INTERNAL,
    "jit/frontend.py:slicing multiple dimensions with {sub_type} not supported": "N",
    "jit/frontend.py:<_vararg_kwarg_err>": ["JIT117"],
    "jit/frontend.py:<UnsupportedNodeError>": "see the UnsupportedNodeError rows",
}
PY_DEFAULT_BY_FILE = {
    # Everything not listed in PY_STATUS: what the file's raises are about.
    "_jit_internal.py": "I:resolution, overload and qualified-name plumbing of torch._jit_internal",
    "jit/_recursive.py": "I:module conversion plumbing of torch.jit._recursive",
    "jit/_script.py": U_RUNTIME_PY,
    "jit/annotations.py": "I:type-comment and annotation parsing plumbing",
}
PY_STATUS.update({
    "jit/_dataclass_impls.py:Default factory initializers are not supported in TorchScript dataclasses": ["JIT154"],
    "jit/_dataclass_impls.py:TorchScript failed to synthesize dataclass method '{name}' for class '{cls.__name__}'. Please file a bug report at <https://github.com/pytorch/pytorch/issues>": I_INTERNAL,
    "_jit_internal.py:Attempted to use {target_type} without a contained type. Please add a contained type, e.g. {target_type}[int]": ["JIT207", "JIT133", "JIT166"],
    "_jit_internal.py:Attempted to use {target_type} without contained types. Please add contained type, e.g. {target_type}[int, int]": ["JIT207", "JIT133", "JIT166"],
    "_jit_internal.py:Attempted to use Future without a contained type. Please add a contained type, e.g. Future[int]": ["JIT207"],
    "_jit_internal.py:Attempted to use RRef without a contained type. Please add a contained type, e.g. RRef[int]": ["JIT207"],
    "_jit_internal.py:The second argument to `torch.jit.isinstance` must be a type or a tuple of types": ["JIT133"],
    "_jit_internal.py:Failed to get source for {fn} using inspect.getsource": "U:depends on how the code is loaded (no source for lambdas defined in exec, C extensions)",
    "_jit_internal.py:Unknown type annotation: '{field_type}' in NamedTuple {obj.__name__}. Likely due to partial support for ForwardRef parameters in NamedTuples, see #95858. Issue occurred at {loc.highlight()}": "N:NamedTuple fields with unsupported types (issue 15 part 1)",
    "_jit_internal.py:only one function can have a docstring": "I:torch internal helper",
    "jit/_recursive.py:Error inferring type for {name}: {item}: {re}": ["JIT137", "JIT208"],
    "jit/_recursive.py:Must explicitly add type annotations to overloaded functions: {qual_name}": "N:@torch.jit._overload without annotations",
    "jit/_recursive.py:'{torch.typename(type(mod))}' has not been initialized, did you forget to call 'super()'?": "N:nn.Module subclasses whose __init__ does not call super().__init__()",
    "jit/_recursive.py:`{fn}` is not a function. Recursive scripting only supports Python functions or methods currently.\nConsider manually annotating `{fn}` with @torch.jit.script.": ["JIT144", "JIT134"],
    "jit/_recursive.py:'{torch.typename(type(mod))}' has uninitialized parameters {name}. Did you forget to run a forward pass?": "U:lazy modules: whether a forward pass ran before scripting is a run-time fact",
    "jit/_recursive.py:'{torch.typename(type(mod))}' has uninitialized buffers {name}. Did you forget to run a forward pass?": "U:lazy modules: whether a forward pass ran before scripting is a run-time fact",
    "jit/_recursive.py:Property {name} of {nn_module.__name__} must have a getter": "N",
    "jit/_recursive.py:<TypeError:constants>": ["JIT141"],
    "jit/_recursive.py:<overload without implementation>": "N:@torch.jit._overload_method without an implementation",
    "jit/_script.py:Function {qual_name} cannot be directly compiled because it is overloaded. It must be used in a context of a function where its inputs can determine which overload to call.": "N",
    "jit/_script.py:interface must be applied to a class": "N",
    "jit/_script.py:TorchScript interfaces must inherit from 'object'": "N:@torch.jit.interface classes (issue 15 part 1)",
    "jit/_script.py:TorchScript interface does not support inheritance yet. Please directly inherit from 'object' or 'nn.Module'.": "N:@torch.jit.interface classes (issue 15 part 1)",
    "jit/_script.py:Type '{obj}' cannot be compiled since it inherits from nn.Module, pass an instance instead": "N:torch.jit.script(ModuleClass)",
    "jit/_script.py:TorchScript classes must be new-style classes. Please inherit from 'object'.": ["JIT136"],
    "jit/_script.py:TorchScript classes does not support inheritance yet. Please directly inherit from 'object'.": ["JIT136"],
    "jit/_script.py:Default parameters on overloads do not affect the runtime so they must equal to the default parameter on the implementation function. Found on parameter {name}": "N",
    "jit/_script.py:TorchScript error: {obj.__script_unsupported}": ["JIT135", "JIT502"],
    "jit/_script.py:<overload without implementation>": "N:@torch.jit._overload without an implementation",
    "jit/_script.py:<overload body>": "N:@torch.jit._overload bodies other than pass/...",
    "jit/annotations.py:Unknown type annotation: '{ann}' at {loc.highlight()}": ["JIT207", "JIT121", "JIT166"],
    "jit/annotations.py:Unknown type annotation: '{ann_args[0]}' at {loc.highlight()}": ["JIT207"],
    "jit/annotations.py:Unknown type annotation: '{ann_args[1]}' at {loc.highlight()}": ["JIT207"],
    "jit/annotations.py:Cannot instantiate class '{py_ast.body[0].name}' in a script function": "N",
    "jit/annotations.py:No enum values defined for: '{e.__class__}'": "N:empty Enum classes",
    "jit/annotations.py:Unsupported annotation {repr(ann)} could not be resolved because {repr(contained)} could not be resolved. At\n{repr(loc)}": ["JIT207"],
    "jit/annotations.py:Unsupported annotation {repr(ann)} could not be resolved because {repr(a)} could not be resolved. At\n{repr(loc)}": ["JIT207"],
    "jit/annotations.py:Type annotation should not contain calls, but '{stmt}' does": "N:type comments",
    "jit/annotations.py:Syntax error in type annotation (couldn't find `->`)": "N:type comments",
    "jit/annotations.py:Failed to parse the argument list of a type annotation": "N:type comments",
    "jit/annotations.py:Failed to parse the return type of a type annotation": "N:type comments",
})

PY_FILES = ("jit/frontend.py", "_jit_internal.py", "jit/_recursive.py", "jit/_script.py",
            "jit/annotations.py", "jit/_dataclass_impls.py")

# Rules that predict something outside this table, with what they predict.
OUTSIDE = {
    "JIT126": "compiles, then differs from eager: str.format with specs keeps the template (no error message)",
    "JIT127": "compiles, then differs from eager: %-format directives TorchScript does not implement (aten::percentFormat fails at run time: \"unsupported format\")",
    "JIT132": "compiles, then differs from eager: `a or b` as a value yields a bool (no error message)",
    "JIT120": "compiles, then differs from eager (a mutable default is shared) or \"Expected a default value of type ...\" from torch/_C default conversion",
    "JIT122": "compiles, then differs from eager: decorators TorchScript drops silently (no error message)",
    "JIT161": "the \"Module '{cls}' has no attribute '{field}' {hint}\" row (python_sugared_value.cpp, ModuleValue::attr) for callables held in module attributes",
}


def _tmpl(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{%s}" % ast.unparse(v.value)
                       for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _tmpl(node.left), _tmpl(node.right)
        return ((left if left is not None else "{%s}" % ast.unparse(node.left))
                + (right if right is not None else "{%s}" % ast.unparse(node.right)))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _tmpl(node.left)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"):
        return _tmpl(node.func.value)
    return None


def _special_key(fname: str, exc: str, call: ast.Call) -> str:
    src = ast.unparse(call)
    if "_vararg_kwarg_err" in src:
        return f"{fname}:<_vararg_kwarg_err>"
    if exc == "UnsupportedNodeError":
        return f"{fname}:<UnsupportedNodeError>"
    if "get_overload_no_implementation_error_message" in src:
        return f"{fname}:<overload without implementation>"
    if exc == "TypeError" and fname.endswith("_recursive.py"):
        return f"{fname}:<TypeError:constants>"
    if src.startswith("RuntimeError(msg)") and fname.endswith("_script.py"):
        return f"{fname}:<overload body>"
    return f"{fname}:<{src[:60]}>"


def python_rows() -> list[dict]:
    import torch

    root = pathlib.Path(torch.__file__).parent
    rows = []
    for fname in PY_FILES:
        tree = ast.parse((root / fname).read_text())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            exc = ast.unparse(node.exc.func).rsplit(".", 1)[-1]
            msg = next((t for t in map(_tmpl, node.exc.args) if t and len(t) > 3), None)
            if msg is not None and exc != "UnsupportedNodeError":
                key = f"{fname}:{msg}"
            else:
                key = _special_key(fname, exc, node.exc)
                msg = key.split(":", 1)[1]
            if exc == "AssertionError":
                status = I_INTERNAL
            else:
                status = PY_STATUS.get(key, PY_DEFAULT_BY_FILE.get(fname, "N"))
            rows.append(_row("python", f"torch/{fname}", node.lineno, exc, msg, status, []))
    rows.sort(key=lambda r: (r["source"], r["line"]))
    for kind, msg, status in UNSUPPORTED_NODES:
        rows.append(_row("python", "torch/jit/frontend.py", None, "UnsupportedNodeError", msg,
                         status, [], construct=kind))
    return rows


def _row(side, source, line, where, message, status, probes, **extra) -> dict:
    row = {"side": side, "source": source, "line": line, "where": where, "message": message}
    row.update(extra)
    if isinstance(status, list):
        row.update(status="rule", rules=status)
    elif status.startswith("U:"):
        row.update(status="undecidable", reason=status[2:])
    elif status.startswith("I:"):
        row.update(status="internal", reason=status[2:])
    elif status.startswith("see "):
        row.update(status="internal", reason=status)
    else:
        row.update(status="none", reason=status[2:] if status.startswith("N:") else "")
    if probes:
        row["probes"] = probes
    return row


def _binary_text() -> str:
    import torch

    lib = pathlib.Path(torch.__file__).parent / "lib"
    out = []
    for name in ("libtorch_cpu.so", "libtorch_python.so"):
        data = (lib / name).read_bytes()
        out.extend(m.decode("latin-1") for m in re.findall(rb"[\x20-\x7e\t]{4,}", data))
    return "\n".join(out)


def _probes(message: str, text: str) -> list[str]:
    """The literal pieces of a template, each split where the binary splits it (a C++
    message is streamed from several literals): every returned piece occurs in ``text``."""
    out = []
    for piece in re.split(r"\{[^}]*\}", message):
        while len(piece.strip()) >= 6:
            if piece in text:
                out.append(piece)
                break
            lo, hi = 5, len(piece) - 1  # longest prefix found
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if piece[:mid] in text:
                    lo = mid
                else:
                    hi = mid - 1
            if piece[:lo] not in text:
                piece = piece[1:]  # a short literal streamed on its own ("'")
                continue
            out.append(piece[:lo])
            piece = piece[lo:]
    out = [p for p in out if len(p.strip()) >= 4]
    if sum(len(p) for p in out) < 0.6 * len(re.sub(r"\{[^}]*\}", "", message)):
        raise SystemExit(f"not in torch's binaries: {message!r} (found only {out!r})")
    return out


def cpp_rows(text: str) -> list[dict]:
    return [_row("cpp", f"torch/csrc/jit/{'python' if f.startswith('python_') else 'frontend'}/{f}",
                 None, fn, msg, status, _probes(msg, text)) for f, fn, msg, status in CPP]


def generate() -> dict:
    import torch

    rows = cpp_rows(_binary_text()) + python_rows()
    for i, r in enumerate(rows, 1):
        r["id"] = f"E{i:03d}"
    return {"torch_version": torch.__version__.split("+")[0], "rows": rows,
            "outside": {k: v for k, v in OUTSIDE.items() if v}}


def summary(data: dict) -> dict:
    rows = data["rows"]
    count = {s: sum(r["status"] == s for r in rows) for s in ("rule", "undecidable", "internal", "none")}
    count["total"] = len(rows)
    return count


def render(data: dict) -> str:
    s = summary(data)
    lines = [
        "# The TorchScript frontend's errors, and the rules that predict them",
        "",
        "Generated by `python tools/compiler_errors.py` from torch "
        f"{data['torch_version']} (data: `tests/data/compiler_errors.json`); "
        "`tests/test_compiler_errors.py` checks it. Do not edit by hand: change the mapping in",
        "`tools/compiler_errors.py` and regenerate.",
        "",
        "C++ messages (`torch/csrc/jit/frontend/`, `torch/csrc/jit/python/python_sugared_value.cpp`) "
        "were read from the sources and each is checked against the string table of the installed "
        "torch's `libtorch_cpu.so`/`libtorch_python.so`; Python messages are every `raise` of "
        "`torch/jit/frontend.py`, `torch/_jit_internal.py`, `torch/jit/_recursive.py`, "
        "`torch/jit/_script.py` and `torch/jit/annotations.py`, extracted from the installed torch, "
        "plus one row per construct `UnsupportedNodeError` rejects.",
        "",
        "## Checklist",
        "",
        f"- messages: **{s['total']}**",
        f"- predicted by a rule: **{s['rule']}**",
        f"- not statically decidable: **{s['undecidable']}**",
        f"- internal (not an error of the user's code: consistency checks, plumbing, run-time API misuse): **{s['internal']}**",
        f"- no rule yet: **{s['none']}**",
        "",
        "## Rules predicting something outside this table",
        "",
    ]
    for code, what in sorted(data["outside"].items()):
        lines.append(f"- {code}: {what}")
    lines += ["", "## The table", "", "| id | where | message | rules / status |", "|---|---|---|---|"]
    for r in data["rows"]:
        where = r["source"].replace("torch/csrc/jit/", "").replace("torch/", "")
        where += f":{r['line']}" if r["line"] else f" ({r['where']})"
        if r.get("construct"):
            where += f" [{r['construct']}]"
        msg = r["message"].replace("|", "\\|").replace("\n", " ")
        if len(msg) > 160:
            msg = msg[:157] + "..."
        if r["status"] == "rule":
            status = ", ".join(r["rules"])
        elif r["status"] == "undecidable":
            status = f"not statically decidable: {r['reason']}"
        elif r["status"] == "internal":
            status = f"internal: {r['reason']}"
        else:
            status = "no rule yet" + (f": {r['reason']}" if r["reason"] else "")
        lines.append(f"| {r['id']} | `{where}` | {msg} | {status} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true")
    args = p.parse_args(argv)
    data = generate()
    text_json = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    text_md = render(data)
    if args.check:
        ok = (JSON_OUT.read_text() == text_json and MD_OUT.read_text() == text_md)
        print("up to date" if ok else "out of date: run python tools/compiler_errors.py")
        return 0 if ok else 1
    JSON_OUT.write_text(text_json)
    MD_OUT.write_text(text_md)
    print(summary(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
