// placeholder translation unit, replaced when models land
namespace socialtwin {}
