"""The declarative base every model of the shop database derives from."""

from sqlalchemy.orm import declarative_base

Base = declarative_base()
