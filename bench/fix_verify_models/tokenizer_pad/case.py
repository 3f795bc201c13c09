from model import Padder


def case():
    return Padder(), [([3, 1, 2],), ([5, 4],)]
