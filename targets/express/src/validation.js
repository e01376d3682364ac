'use strict';
/**
 * Field validation for request payloads (rulings §3-§7). Each reader takes the payload object, a
 * key and a FieldErrors collector, records at most one message for that key, and returns the
 * value to use (undefined when the key is absent or failed). Handlers read every field, then call
 * `errors.throwIfAny()`, so that all failing fields are reported in one 422.
 */
const { invalidFields } = require('./api-error');

const BLANK = "can't be blank";
const INVALID = 'is invalid';
const TOO_SHORT = 'is too short (minimum is 8 characters)';
const PASSWORD_MIN = 8; // Unicode code points

// Unicode White_Space (without U+0085): the same set every target treats as blank.
const ALL_WHITESPACE = /^[\t-\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/; // parity-ruling: 3

class FieldErrors {
  constructor() {
    this.errors = {};
    this.count = 0;
  }
  add(key, message) {
    (this.errors[key] ??= []).push(message);
    this.count++;
  }
  throwIfAny() {
    if (this.count) throw invalidFields(this.errors);
  }
}

// A JSON string may hold a lone UTF-16 surrogate ("\ud800"), which no UTF-8 text can store:
// such a value is "is invalid" rather than silently mangled.
const isText = (v) => typeof v === 'string' && v.isWellFormed();

const isBlank = (v) => v === undefined || v === null || (typeof v === 'string' && ALL_WHITESPACE.test(v));

/** A required non-blank string: absent, null or blank is "can't be blank", another type invalid. */
function requiredString(payload, key, errors) {
  const value = payload[key];
  if (isBlank(value)) errors.add(key, BLANK);
  else if (!isText(value)) errors.add(key, INVALID);
  else return value;
  return undefined;
}

/** Like requiredString when the key is present; absent means "unchanged" (undefined). */
function changedString(payload, key, errors) {
  return Object.hasOwn(payload, key) ? requiredString(payload, key, errors) : undefined;
}

/** bio/image: absent is undefined, "" or null is null (stored as NULL), another type invalid. */
function nullableString(payload, key, errors) {
  if (!Object.hasOwn(payload, key)) return undefined;
  const value = payload[key];
  if (value === null || value === '') return null;
  if (isText(value)) return value;
  errors.add(key, INVALID);
  return undefined;
}

/** A new password on PUT /user: a string of at least 8 code points. */
function newPassword(payload, key, errors) {
  if (!Object.hasOwn(payload, key)) return undefined;
  const value = payload[key];
  if (value !== null && !isText(value)) errors.add(key, INVALID);
  else if (value === null || [...value].length < PASSWORD_MIN) errors.add(key, TOO_SHORT);
  else return value;
  return undefined;
}

/** Bytewise (UTF-8) order, which is SQLite's BINARY collation; JS's < compares UTF-16 units. */
const byBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)); // parity-ruling: 7

/** tagList: a list of strings, returned deduplicated and sorted bytewise. Absent is undefined. */
function tagList(payload, key, errors) {
  if (!Object.hasOwn(payload, key)) return undefined;
  const value = payload[key];
  if (!Array.isArray(value) || !value.every(isText)) {
    errors.add(key, INVALID);
    return undefined;
  }
  return [...new Set(value)].sort(byBytes);
}

module.exports = { FieldErrors, requiredString, changedString, nullableString, newPassword, tagList };
