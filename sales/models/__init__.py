"""The sales pipeline: products, leads, opportunities, orders, contracts, targets and exchange rates,
one module per aggregate; every model is importable from ``sales.models``.

Every amount carries its currency; totals, forecasts and reports convert to the company's base
currency (``settings.BASE_CURRENCY``) with the exchange rates an administrator keeps by date
(:mod:`sales.money`). Opportunities, orders and contracts carry a ``version`` that the services
check, so a save based on a stale copy is refused instead of overwriting someone else's change.
"""

from .base import Currency, ExchangeRate, SalesRecord
from .contracts import Contract, ContractFile, ContractNumberCounter, contract_file_path
from .leads import Lead, LeadAssignment, RoundRobinCursor
from .opportunities import Opportunity, OpportunityLine, Pipeline, Stage, StageChange
from .orders import Order, OrderLine
from .products import Product, ProductCategory
from .targets import SalesTarget

__all__ = [
    "Contract",
    "ContractFile",
    "ContractNumberCounter",
    "Currency",
    "ExchangeRate",
    "Lead",
    "LeadAssignment",
    "Opportunity",
    "OpportunityLine",
    "Order",
    "OrderLine",
    "Pipeline",
    "Product",
    "ProductCategory",
    "RoundRobinCursor",
    "SalesRecord",
    "SalesTarget",
    "Stage",
    "StageChange",
    "contract_file_path",
]
