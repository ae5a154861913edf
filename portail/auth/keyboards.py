"""The French AZERTY keyboard, for zxcvbn's keyboard-pattern matcher.

zxcvbn knows the QWERTY and Dvorak keyboards and the numeric keypad: a walk
along a French keyboard (``qsdfghjklm``, ``wxcvbn``, ``&é"'(-``) looks random
to it.  :func:`azerty_graph` describes the AZERTY (ISO) keyboard the way
zxcvbn describes QWERTY, and :func:`install` adds it to zxcvbn's graphs.

A graph maps each character to its six neighbours, in zxcvbn's order of
directions for staggered keyboards: left, upper left, upper right, right,
lower right, lower left.  Each neighbour is its key's two characters
(unshifted, shifted), or ``None`` at the edge of the keyboard.
"""
from zxcvbn import matching

#: the AZERTY rows, each key as "unshifted shifted"; the number is the
#: column of the row's first key, each row sitting half a key to the right of
#: the one above (the convention of zxcvbn's QWERTY graph)
AZERTY_ROWS = (
    (1, '&1 é2 "3 \'4 (5 -6 è7 _8 ç9 à0 )° =+'),
    (1, 'aA zZ eE rR tT yY uU iI oO pP ^¨ $£'),
    (1, 'qQ sS dD fF gG hH jJ kK lL mM ù% *µ'),
    (0, '<> wW xX cC vV bB nN ,? ;. :/ !§'),
)

GRAPH_NAME = 'azerty'


def azerty_graph():
    """Return the AZERTY adjacency graph in zxcvbn's format."""
    keys = {}
    for y, (first, row) in enumerate(AZERTY_ROWS):
        for x, key in enumerate(row.split(), start=first):
            keys[(x, y)] = key
    graph = {}
    for (x, y), key in keys.items():
        around = [(x - 1, y), (x, y - 1), (x + 1, y - 1), (x + 1, y), (x, y + 1), (x - 1, y + 1)]
        neighbours = [keys.get(position) for position in around]
        for char in key:
            graph[char] = neighbours
    return graph


def install():
    """Add the AZERTY graph to the graphs zxcvbn's matcher walks (once).

    zxcvbn scores the walks of a graph it does not know by the keypad's
    figures (fewer keys, fewer neighbours), which makes an AZERTY walk look
    a little easier to guess than a QWERTY one: the safe side.
    """
    matching.GRAPHS.setdefault(GRAPH_NAME, azerty_graph())
