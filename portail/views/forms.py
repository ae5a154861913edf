"""Deform helpers shared by the views: CSRF field and form construction."""
import colander
import deform
from pyramid.csrf import get_csrf_token

from portail.i18n import _


@colander.deferred
def deferred_csrf_default(node, kw):
    return get_csrf_token(kw['request'])


class CSRFSchema(colander.MappingSchema):
    """Base schema of every form: carries the CSRF token Pyramid checks."""

    csrf_token = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(),
        default=deferred_csrf_default, missing='')


def make_form(request, schema, submit_title, formid='form', **kw):
    """Return a :class:`deform.Form` for ``schema`` bound to ``request``."""
    bound = schema.bind(request=request, **kw)
    return deform.Form(bound, buttons=(deform.Button('submit', submit_title),),
                       formid=formid)


def validate(form, request):
    """Return ``(appstruct, None)`` or ``(None, rendered form with errors)``."""
    try:
        return form.validate(request.POST.items()), None
    except deform.ValidationFailure as failure:
        return None, failure.render()


FORM_ERROR = _('Please correct the fields marked below.')
