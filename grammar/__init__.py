"""The policydsl grammar (policy.lark), shipped as package data of `policydsl.grammar`."""
