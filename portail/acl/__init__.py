"""Security as data: permissions, principals, ACLs and the security policy.

- :mod:`portail.acl.permissions`: the names of every permission;
- :mod:`portail.acl.principals`: how principals are spelled;
- :mod:`portail.acl.roles`: the roles of an account, as constants;
- :mod:`portail.acl.localroles`: every rule that computes a local role;
- :mod:`portail.acl.matrix`: the access matrix, from which every ``__acl__``
  is computed;
- :mod:`portail.acl.policy`: the Pyramid security policy that decides;
- :mod:`portail.acl.rowcheck`: a listing's permissions on its contracts,
  asked once per (district, state) when they cannot differ per row.

docs/security.md explains them.
"""
