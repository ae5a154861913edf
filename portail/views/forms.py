"""Deform helpers shared by the views: CSRF field and form construction.

The rules of the fields themselves (lengths, control characters, dates,
numbers) are in :mod:`portail.validators`."""
import colander
import deform
from pyramid.csrf import get_csrf_token

from portail.formkeys import new_form_key
from portail.i18n import _


@colander.deferred
def deferred_csrf_default(node, kw):
    return get_csrf_token(kw['request'])


@colander.deferred
def deferred_form_key_default(node, kw):
    return new_form_key()


class CSRFSchema(colander.MappingSchema):
    """Base schema of every form: carries the CSRF token Pyramid checks and
    the one-time key of the form (:mod:`portail.formkeys`)."""

    csrf_token = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(),
        default=deferred_csrf_default, missing='')
    form_key = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(),
        default=deferred_form_key_default, missing='')


def make_form(request, schema, submit_title, formid='form', **kw):
    """Return a :class:`deform.Form` for ``schema`` bound to ``request``."""
    bound = schema.bind(request=request, **kw)
    return deform.Form(bound, buttons=(deform.Button('submit', submit_title),),
                       formid=formid)


def validate(form, request):
    """Return ``(appstruct, None)`` or ``(None, rendered form with errors)``.

    A form with errors is a bad input: its page answers 400 (issue 13), and
    the caller saves nothing."""
    try:
        return form.validate(request.POST.items()), None
    except deform.ValidationFailure as failure:
        request.response.status_int = 400
        return None, failure.render()


#: a date field: the browser's date picker
DATE_WIDGET = deform.widget.TextInputWidget(attributes={'type': 'date'})

FORM_ERROR = _('Please correct the fields marked below.')


def form_page(request, form, page, save, values=None, versioned=None):
    """The life of a form page: show it, or validate the POST and ``save``.

    ``save(appstruct)`` returns the response (usually a redirect).  With
    ``versioned``, a POST drawn from an older version of that object is
    refused with :class:`portail.conflicts.EditConflict` (the 409 page).
    Returns ``page`` with the rendered ``form`` otherwise.
    """
    from portail.conflicts import check_serial

    if request.method == 'POST':
        if versioned is not None:
            check_serial(request, versioned)
        appstruct, rendered = validate(form, request)
        if appstruct is None:
            return dict(page, form=rendered)
        return save(appstruct)
    return dict(page, form=form.render(values or {}))
