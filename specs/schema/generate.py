#!/usr/bin/python3
"""Writes specs/schema/spec.schema.json: /usr/bin/python3 specs/schema/generate.py > specs/schema/spec.schema.json

The assert grammar (query, optional "not", predicate, argument) is a product of small choices, so the
schema is generated rather than hand-written. Keep it in step with harness/spec.c and
harness/spec_expect.c (limits: SPEC_MAX_* in harness/spec.h) and the "spec format" section of
specs/README.md. Standard library only."""
import json
VAR = "^[A-Za-z_][A-Za-z0-9_.-]*$"
Q0 = ["status", "body", "duration", "url", "redirects"]
Q1 = ["header", "headers", "cookie", "jsonpath", "regex", "regexCount", "xpath", "variable"]
P0 = ["exists", "isString", "isInteger", "isNumber", "isBoolean", "isNull", "isList", "isObject",
      "isEmpty", "isIsoDate", "isSorted", "isUnique", "isFloat", "isCollection"]
JAR = {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"}
SCALAR = {"type": ["string", "number", "boolean"]}
# Filters after a query's arguments (Hurl's): ["count"], ["first"], ["last"], ["nth", N]; the
# schema allows up to MAX_FILTERS of them (the loader: QUERY_MAX_FILTERS).
MAX_FILTERS = 2
FILTER = {"$ref": "#/$defs/filter"}
FILTER_DEF = {"oneOf": [{"type": "array", "prefixItems": [{"enum": ["count", "first", "last"]}],
                     "minItems": 1, "maxItems": 1},
                    {"type": "array", "prefixItems": [{"const": "nth"}, {"type": "integer"}],
                     "minItems": 2, "maxItems": 2}]}
P1 = {  # predicate class -> argument schema
    "any": (["==", "!=", "contains"], {}),
    "order": (["<", "<=", ">", ">="], {"type": ["number", "string"]}),
    "string": (["matches", "startsWith", "endsWith"], {"type": "string"}),
    "count": (["count"], {"oneOf": [{"type": "integer", "minimum": 0, "maximum": 2147483647},
                                    {"$ref": "#/$defs/template"}]}),
}
def query_prefix(kind):
    if kind == 0:
        return [{"enum": Q0}]
    if kind == 1:  # cookie: "NAME" or "NAME[Attr]" (Value Expires Max-Age Domain Path Secure
        # HttpOnly SameSite), NAME may be a template; xpath: an XPath 1.0 expression
        return [{"enum": ["header", "headers", "cookie", "xpath", "variable"]},
                {"type": "string", "minLength": 1}]
    if kind == 2:
        return [{"const": "jsonpath"}, {"type": "string", "pattern": "^\\$"}]
    if kind == 3:
        return [{"enum": ["regex", "regexCount"]}, {"type": "string"}]
    return [{"const": "jwt"}, {"type": "string", "pattern": "^\\$"},
            {"type": "string", "pattern": "^\\$"}]
asserts = []
for kind in (0, 1, 2, 3, 4):
    for nf in range(MAX_FILTERS + 1):
        for neg in (False, True):
            pre = query_prefix(kind) + [FILTER] * nf + ([{"const": "not"}] if neg else [])
            items = pre + [{"$ref": "#/$defs/pred0"}]
            asserts.append({"prefixItems": items, "minItems": len(items), "maxItems": len(items)})
            for cls, (preds, arg) in P1.items():
                items = pre + [{"enum": preds}, arg]
                asserts.append({"prefixItems": items, "minItems": len(items),
                                "maxItems": len(items)})
capture = {"anyOf": [{"prefixItems": query_prefix(k) + [FILTER] * nf,
                      "minItems": len(query_prefix(k)) + nf,
                      "maxItems": len(query_prefix(k)) + nf}
                     for k in (0, 1, 2, 3, 4) for nf in range(MAX_FILTERS + 1)]}
ms = lambda lo, hi: {"type": "integer", "minimum": lo, "maximum": hi}
schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://parity.invalid/specs/schema/spec.schema.json",
    "title": "parity spec file (a suite, or a step file that suites include)",
    "description": "Generated to match harness/spec.c. Beyond this schema the loader also checks: "
                   "regexes compile (POSIX ERE), JSONPaths are in the supported subset, {{...}} "
                   "template syntax (variables, list indexes, jwt(...) and now(...) calls), include params match `with` exactly, "
                   "chunked needs a body and no Transfer-Encoding/Content-Length header, include nesting <= 8 and "
                   "no cycles, body.size >= prefix + suffix, unique suite names, duplicate keys; raw steps: "
                   "expect.asserts need a status or responses, at most 8 MiB sent; XPaths compile, "
                   "a cookie attribute is known, max_redirects needs follow, save_jar needs a jar, "
                   "the variable query is for asserts only.",
    "oneOf": [{"$ref": "#/$defs/suite"}, {"$ref": "#/$defs/includeFile"}],
    "$defs": {
        "template": {"type": "string", "pattern": "\\{\\{"},
        "varName": {"type": "string", "pattern": VAR, "maxLength": 128},
        "suite": {
            "type": "object", "additionalProperties": False, "required": ["suite", "steps"],
            "properties": {
                "$schema": {"type": "string"},
                "suite": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                "description": {"type": "string"},
                "variables": {"type": "object", "propertyNames": {"$ref": "#/$defs/varName"}},
                "setup": {"$ref": "#/$defs/steps"},
                "steps": {"$ref": "#/$defs/steps", "minItems": 1},
                "teardown": {"$ref": "#/$defs/steps"},
            },
        },
        "includeFile": {
            "type": "object", "additionalProperties": False, "required": ["steps"],
            "not": {"required": ["suite"]},
            "properties": {
                "$schema": {"type": "string"},
                "description": {"type": "string"},
                "params": {"type": "array", "uniqueItems": True, "items": {"$ref": "#/$defs/varName"}},
                "steps": {"$ref": "#/$defs/steps"},
            },
        },
        "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}},
        "step": {"oneOf": [{"$ref": "#/$defs/requestStep"}, {"$ref": "#/$defs/rawStep"},
                           {"$ref": "#/$defs/repeatStep"}, {"$ref": "#/$defs/includeStep"}]},
        # A raw step (harness/spec/spec_raw.c): exact bytes on a TCP connection, wire expectations.
        "rawStep": {
            "type": "object", "additionalProperties": False, "required": ["name", "raw", "expect"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "raw": {"oneOf": [
                    {"$ref": "#/$defs/rawSend"},
                    {"type": "object", "additionalProperties": False, "required": ["send"],
                     "properties": {"send": {"$ref": "#/$defs/rawSend"},
                                    "connection": {"enum": ["fresh", "suite"]},
                                    "timeout": ms(1, 60000), "head": {"type": "boolean"}}},
                ]},
                "probe": {"type": "object", "additionalProperties": False,
                          "required": ["level", "ref"],
                          "properties": {"level": {"enum": ["MUST", "SHOULD", "MAY", "contract"]},
                                         "ref": {"type": "string", "minLength": 1}}},
                "expect": {
                    "type": "object", "additionalProperties": False,
                    "not": {"anyOf": [{"required": ["closed", "open"]},
                                      {"required": ["silent", "status"]},
                                      {"required": ["silent", "asserts"]},
                                      {"required": ["silent", "responses"]}]},
                    "properties": {
                        "status": {"oneOf": [ms(100, 599),
                                             {"type": "array", "minItems": 1, "items": ms(100, 599)}]},
                        "asserts": {"type": "array", "items": {"$ref": "#/$defs/assert"}},
                        "responses": ms(0, 64), "interim": ms(0, 64),
                        "closed": ms(1, 30000), "open": ms(1, 30000), "silent": ms(1, 30000),
                        "others": ms(1, 30000), "alive": {"type": "boolean"},
                    },
                },
                "delay": ms(0, 600000),
                "skip": {"type": "object", "propertyNames": {"minLength": 1},
                         "additionalProperties": {"type": "string", "pattern": "[^ \\t]"}},
            },
        },
        "rawSend": {"oneOf": [
            {"type": "string"},
            {"type": "array", "minItems": 1, "maxItems": 256, "items": {"oneOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": False, "required": ["hex"],
                 "properties": {"hex": {"type": "string", "pattern": "^( *[0-9A-Fa-f]{2})* *$"}}},
                {"type": "object", "additionalProperties": False, "required": ["base64"],
                 "properties": {"base64": {"type": "string"}}},
                {"type": "object", "additionalProperties": False, "required": ["fill", "size"],
                 "properties": {"fill": {"type": "string", "minLength": 1, "maxLength": 1},
                                "size": ms(0, 8388608)}},
                {"type": "object", "additionalProperties": False, "required": ["delay"],
                 "properties": {"delay": ms(0, 30000)}},
                {"type": "object", "additionalProperties": False, "required": ["shutdown"],
                 "properties": {"shutdown": {"const": True}}},
                {"type": "object", "additionalProperties": False, "required": ["await"],
                 "properties": {"await": ms(1, 64)}},
            ]}},
        ]},
        "includeStep": {
            "type": "object", "additionalProperties": False, "required": ["include"],
            "properties": {"include": {"type": "string", "minLength": 1},
                           "with": {"type": "object"}},
        },
        "repeatStep": {
            "type": "object", "additionalProperties": False, "required": ["repeat", "steps"],
            "properties": {
                "repeat": {"oneOf": [ms(0, 1000000), {"$ref": "#/$defs/template"}]},
                "index": {"$ref": "#/$defs/varName"},
                "steps": {"$ref": "#/$defs/steps"},
            },
        },
        "requestStep": {
            "type": "object", "additionalProperties": False,
            "required": ["name", "request", "expect"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "request": {"$ref": "#/$defs/request"},
                "expect": {"$ref": "#/$defs/expect"},
                "captures": {
                    "type": "object",
                    "propertyNames": {"pattern": "^([A-Za-z_][A-Za-z0-9_.-]*|.*\\{\\{.*)(\\[\\])?$"},
                    "additionalProperties": {"$ref": "#/$defs/capture"},
                },
                "retry": {"type": "object", "additionalProperties": False, "required": ["count"],
                          "properties": {"count": ms(0, 100), "interval": ms(0, 600000)}},
                "delay": ms(0, 600000),
                "skip": {"type": "object", "propertyNames": {"minLength": 1},
                         "additionalProperties": {"type": "string", "pattern": "[^ \\t]"}},
                "save_jar": JAR,
            },
        },
        "request": {
            "type": "object", "additionalProperties": False, "required": ["method", "path"],
            "not": {"anyOf": [{"required": ["json", "form"]}, {"required": ["json", "body"]},
                              {"required": ["form", "body"]}]},
            "properties": {
                "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]},
                "path": {"type": "string", "pattern": "^/[^ \\t\\r\\n]*$"},
                "query": {"type": "object",
                          "additionalProperties": {"type": ["string", "number", "boolean"]}},
                "headers": {"type": "object",
                            "propertyNames": {"pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
                            "additionalProperties": {"type": "string", "pattern": "^[^\\r\\n]*$"}},
                "json": {},
                "form": {"oneOf": [
                    {"type": "object", "additionalProperties": SCALAR},
                    {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                "prefixItems": [{"type": "string"}, SCALAR]}},
                ]},
                "body": {"oneOf": [
                    {"type": "string"},
                    {"type": "object", "additionalProperties": False, "required": ["fill", "size"],
                     "properties": {"prefix": {"type": "string"}, "suffix": {"type": "string"},
                                    "fill": {"type": "string", "pattern": "^[\\u0001-\\u007f]$"},
                                    "size": ms(0, 67108864)}},
                    {"type": "object", "additionalProperties": False, "required": ["base64"],
                     "properties": {"base64": {
                         "type": "string",
                         "pattern": "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"}}},
                ]},
                "timeout": ms(1, 600000),
                "chunked": {"type": "boolean"},
                "jar": {"oneOf": [JAR, {"type": "null"}]},
                "follow": {"type": "boolean"},
                "max_redirects": ms(0, 50),
            },
        },
        "expect": {
            "type": "object", "additionalProperties": False, "required": ["status"],
            "properties": {
                "status": {"oneOf": [ms(100, 599),
                                     {"type": "array", "minItems": 1, "items": ms(100, 599)}]},
                "asserts": {"type": "array", "items": {"$ref": "#/$defs/assert"}},
            },
        },
        "assert": {"type": "array", "anyOf": asserts},
        "filter": FILTER_DEF,
        "pred0": {"enum": P0},
        "capture": dict({"type": "array"}, **capture),
    },
}
print(json.dumps(schema, indent=2, ensure_ascii=False))
