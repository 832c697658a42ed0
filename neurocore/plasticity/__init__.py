"""Synaptic plasticity: one C rule engine shared by every model, plus two paper models.

* :mod:`~neurocore.plasticity.rules` -- Hebbian, Oja, BCM, covariance, heterosynaptic, subtractive
  (normalised), three-factor (eligibility x modulator) and correlation-invariant updates on dense or
  CSR weights, float32 or float64, in place, in C (``csrc/kernels/plasticity.c``). The registry
  :data:`RULES` comes from the C table, so names, codes and docs cannot drift apart.
* :mod:`~neurocore.plasticity.metaplastic` -- correlation-invariant (metaplastic) Hebbian learning
  (Brito & Gerstner), with its alternatives and a stability check of the adaptive threshold.
* :mod:`~neurocore.plasticity.dendritic` -- the voltage-based rule at the synapse location
  (Meissner-Bernard et al.): glutamate trace x two-threshold function of the local dendritic voltage.

Examples
--------
>>> import numpy as np, neurocore.plasticity as pl
>>> W = np.zeros((3, 4))
>>> pl.update(W, pre=np.ones(4), post=np.arange(3.0), rule="hebb", eta=0.1)
>>> float(W[2, 0])
0.2
"""
from .rules import (RULES, RULE_DOCS, RULE_FLAGS, PlasticityRule, apply, normalize_rows, rule_code, rules_table,
                    update, update_csr)
from .metaplastic import (HebbianLearner, MetaplasticStability, alignment, latent_mixture,
                          metaplastic_stability)

__all__ = ["RULES", "RULE_DOCS", "RULE_FLAGS", "PlasticityRule", "apply", "normalize_rows", "rule_code",
           "rules_table", "update", "update_csr", "HebbianLearner", "MetaplasticStability", "alignment",
           "latent_mixture", "metaplastic_stability"]
from .dendritic import (VoltageRule, VoltageRuleResult, classify, glutamate_voltage_rule, pairing_protocol,
                        resample_trace, synthetic_dendritic_voltage)

__all__ += ["VoltageRule", "VoltageRuleResult", "classify", "glutamate_voltage_rule", "pairing_protocol",
            "resample_trace", "synthetic_dendritic_voltage"]
