"""Operations that own the database session: views call these, never change models inline."""
