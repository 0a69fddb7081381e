"""Hospital import: HL7 A19 over MLLP, PDQm, SIU folder pull, mapped to domain patients."""
