"""Security as data: permissions, principals, ACLs and the security policy.

- :mod:`portail.acl.permissions`: the names of every permission;
- :mod:`portail.acl.principals`: how principals are spelled;
- :mod:`portail.acl.root`: the ACLs of the root and of its top-level folders;
- :mod:`portail.acl.policy`: the Pyramid security policy that decides.
"""
