"""The columns of the two import files, as docs/import.md documents them.

Names are French (those who export the files are), lower case; the first
line of a file names its columns in any order.  A required column must be
there and filled on every line; an optional one may be left out or empty.
"""

#: the staff accounts file
ACCOUNT_COLUMNS = ('id_externe', 'identifiant', 'nom_complet', 'roles', 'circonscription',
                   'travailleur_social_qualifie')
ACCOUNT_REQUIRED = frozenset({'id_externe', 'identifiant', 'nom_complet', 'roles'})

#: the dossiers file
DOSSIER_COLUMNS = ('id_externe', 'nom', 'prenoms', 'date_naissance', 'circonscription',
                   'referent', 'adresse', 'telephone', 'email', 'taille_foyer',
                   'contrat_etat', 'contrat_debut', 'contrat_duree_mois', 'contrat_revision')
DOSSIER_REQUIRED = frozenset({'id_externe', 'nom', 'prenoms', 'date_naissance',
                              'circonscription', 'referent'})

#: the roles an account file may give (the people followed are not imported)
ROLE_CODES = ('worker', 'secretary', 'cli', 'manager', 'admin', 'dpo')
#: separates several roles in ``roles``
ROLE_SEPARATOR = '|'
#: ``contrat_etat`` → the contract state it imports
CONTRACT_STATES = {'brouillon': 'draft', 'saisi': 'entered', 'papier': 'paper',
                   'clos': 'closed'}
#: ``travailleur_social_qualifie``
YES, NO = ('oui', '1', 'o', 'yes'), ('non', '0', 'n', 'no', '')
