"""The ESIA (Gosuslugi) protocol dialect of the fake IdP."""
