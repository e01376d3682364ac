'use strict';
/**
 * The web forms' fields, validated by the API's own readers (validation.js), so a form says what
 * the API says ("title can't be blank"), field by field in the order of the form. Each reader
 * returns {values, errors}: `values` for the data layer, `errors` the lines of
 * <ul class="errors"> ("FIELD MESSAGE"), empty when the form is valid.
 */
const { FieldErrors, requiredString, tagList } = require('../validation');

const INVALID = 'is invalid';
// Tags are separated by Unicode white space (the set validation.js calls blank).
const TAG_SEPARATOR = /[\t-\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** A field's value: a repeated field counts by its first value, as the API's query strings do. */
const first = (value) => (Array.isArray(value) ? value[0] : value);

/** "FIELD MESSAGE" lines from a FieldErrors, in the order the fields were read. */
const lines = (errors) =>
  Object.entries(errors.errors).flatMap(([field, messages]) => messages.map((m) => `${field} ${m}`));

/** A required text field; U+0000 is invalid, as in the API's JSON (it cannot be stored as text). */
function required(form, key, errors) {
  const value = first(form[key]);
  if (typeof value === 'string' && value.includes('\0')) {
    errors.add(key, INVALID);
    return undefined;
  }
  return requiredString({ [key]: value }, key, errors);
}

function readFields(form, keys) {
  const errors = new FieldErrors();
  const values = {};
  for (const key of keys) values[key] = required(form, key, errors);
  return { values, errors };
}

/** The submitted text of `keys` (for re-rendering a form; never the password). */
function submitted(form, keys) {
  return Object.fromEntries(keys.map((key) => [key, String(first(form[key]) ?? '')]));
}

function registerForm(form) {
  const { values, errors } = readFields(form, ['username', 'email', 'password']);
  return { values, errors: lines(errors) };
}

function loginForm(form) {
  const { values, errors } = readFields(form, ['email', 'password']);
  return { values, errors: lines(errors) };
}

/** The editor: title, description, body, and tags separated by white space (sorted, unique). */
function articleForm(form) {
  const { values, errors } = readFields(form, ['title', 'description', 'body']);
  const text = String(first(form.tags) ?? '');
  let tags = [];
  if (text.includes('\0')) errors.add('tags', INVALID);
  else tags = tagList({ tags: text.split(TAG_SEPARATOR).filter(Boolean) }, 'tags', errors) ?? [];
  return { values, tags, errors: lines(errors) };
}

function commentForm(form) {
  const { values, errors } = readFields(form, ['body']);
  return { values, errors: lines(errors) };
}

/** {username: ['has already been taken']}-style lines for the fields the data layer refused. */
const takenLines = (fields) => fields.map((field) => `${field} has already been taken`);

module.exports = { registerForm, loginForm, articleForm, commentForm, submitted, takenLines };
