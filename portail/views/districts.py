"""The districts as the account administrators keep them (issue 17): the
list of the département's districts, and each one's postal address and
phone, which the people it follows read on their home page ("Qui vous
accompagne").  A district's service details are not personal data; who
may change them is the matrix's (``manage_accounts`` on ``/districts``)."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portail.acl import permissions as P
from portail.conflicts import serial_of
from portail.flash import flash
from portail.i18n import _
from portail.models.district import District, Districts
from portail.validators import phone, text
from portail.views.forms import CSRFSchema, form_page, make_form


@view_config(context=Districts, name='', renderer='portail:templates/admin/districts.pt',
             permission=P.MANAGE_ACCOUNTS)
def districts_view(request):
    rows = [{'district': d, 'url': request.resource_url(d, 'contact'),
             'label': _('Edit how to reach ${name}', mapping={'name': d.name})}
            for _id, d in sorted(request.context.items(), key=lambda kv: kv[1].name)]
    return {'rows': rows}


class DistrictContactSchema(CSRFSchema):
    address = colander.SchemaNode(
        colander.String(), title=_('Address of the service'), missing='',
        widget=deform.widget.TextAreaWidget(rows=3), validator=text(300))
    phone = colander.SchemaNode(
        colander.String(), title=_('Phone of the service'), missing='', validator=phone())
    serial = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())


@view_config(context=District, name='contact', renderer='portail:templates/form.pt',
             permission=P.MANAGE_ACCOUNTS)
def district_contact_view(request):
    """How the people the district follows reach its service."""
    district = request.context
    form = make_form(request, DistrictContactSchema(), _('Save'))

    def save(appstruct):
        district.address, district.phone = appstruct['address'], appstruct['phone']
        flash(request, _('The district is saved.'))
        return HTTPSeeOther(request.resource_url(district.__parent__))

    return form_page(request, form, {
        'title': _('How to reach ${name}', mapping={'name': district.name}),
        'intro': _('The people this district follows read these on their home page.')},
        save, {'address': district.address, 'phone': district.phone,
               'serial': serial_of(district)}, versioned=district)
