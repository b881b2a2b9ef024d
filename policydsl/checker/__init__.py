"""Resolve names, check types and provenance, evaluate constants: AST → IR.

`Compiler` (compiler.py) checks each policy file once — policies refer to each other through
使用, 修订 and 遵循 — and keeps every diagnostic.  `PolicyChecker` (policy.py) checks one file
in phases, one module each, all reading and writing one `PolicyState` (state.py):

1. header.py        the header, and the policies and notice it names;
2. declarations.py  the declarations (own, plus those inherited from the amended policy),
                    enumerations, topics, 约定, and the names they take in generated code;
3. resolve.py       each declaration resolved on first use — types and units through
                    expressions.py — so that order in the file does not matter and a cycle
                    is found where it closes; tables.py for tables;
4. calculators.py   calculators: outputs, 累计, the rules and inputs each needs;
5. arithmetic.py    the notice's own arithmetic (核对);
6. provenance (policydsl/provenance.py) every quote and number against the notice;
7. bounds.py        the floors and ceilings of a 遵循 policy.
"""

from .compiler import Checked, Compiler

__all__ = ["Checked", "Compiler"]
