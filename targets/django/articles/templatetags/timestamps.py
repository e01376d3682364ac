from django import template

from common.timestamps import iso_ms

register = template.Library()

# {{ article.created_at|iso_ms }} -> 2026-11-23T18:32:05.123Z, as the API prints it.
register.filter("iso_ms", iso_ms)
