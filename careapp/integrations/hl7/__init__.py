"""integrations/hl7"""
